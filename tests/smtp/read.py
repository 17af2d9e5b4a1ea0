#!/usr/bin/python3
"""Read messages the test server stored as a mail client would: headers decoded (RFC 2047),
the text and HTML parts decoded, attachments with their file names and the SHA-256 and length
of their bytes. Prints one JSON object per .eml file given, as a JSON list.

    tests/smtp/read.py DIR/0001.eml [DIR/0002.eml ...]
"""
import email
import email.policy
import hashlib
import json
import sys


def read(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    out = {
        "file": path,
        "headers": {k: str(v) for k, v in msg.items() if k.lower() not in ("content-type",)},
        "content_type": msg.get_content_type(),
        "text": None,
        "html": None,
        "attachments": [],
    }
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        if disposition == "attachment":
            data = part.get_payload(decode=True)
            out["attachments"].append({
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            })
        elif part.get_content_type() == "text/plain" and out["text"] is None:
            out["text"] = part.get_content()
        elif part.get_content_type() == "text/html" and out["html"] is None:
            out["html"] = part.get_content()
    return out


print(json.dumps([read(p) for p in sys.argv[1:]], ensure_ascii=False))
