#!/usr/bin/env python3
"""Cold start without WebDriver: spawn the app under an Xvfb whose framebuffer is a file
(-fbdir), sample that file every few milliseconds, and report when the window first showed the
picture it settles on (the dashboard with its data). No automation, no instrumentation in the app.

  paint.py APP DB [RUNS]   (run under tests/e2e/run --bench, or with DISPLAY unset: it starts its own Xvfb)

APP may be bare_webkit.py (DB: -): the same figure for a bare WebKitGTK window, the app's peer.
"""
import os, subprocess, sys, tempfile, time, struct, zlib

app, db = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
W, H = 1280, 900

fbdir = tempfile.mkdtemp()
xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", f"{W}x{H}x24", "-fbdir", fbdir, "-nolisten", "tcp"],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
display = ":" + xvfb.stdout.readline().decode().strip()
fb = os.path.join(fbdir, "Xvfb_screen0")
while not os.path.exists(fb):
    time.sleep(0.01)

def frame():
    with open(fb, "rb") as f:
        data = f.read()
    header, = struct.unpack(">I", data[:4])
    ncolors, = struct.unpack(">I", data[76:80])
    return data[header + ncolors * 12:]

def differs(a, b):
    # fraction of 4-byte pixels (sampled every 16th) that differ
    n = d = 0
    for i in range(0, min(len(a), len(b)), 64):
        n += 1
        if a[i:i + 4] != b[i:i + 4]:
            d += 1
    return d / max(n, 1)

env = dict(os.environ, DISPLAY=display, SEATBOOK_DB=db)
blank = frame()
results = []
for r in range(runs + 1):
    t0 = time.monotonic()
    p = subprocess.Popen([app], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    changes = []  # (t, crc, bytes)
    last = None
    while time.monotonic() - t0 < 6.0:
        f = frame()
        c = zlib.crc32(f)
        if c != last:
            changes.append((time.monotonic() - t0, f))
            last = c
        time.sleep(0.004)
    final = changes[-1][1]
    first_window = next((t for t, f in changes if differs(f, blank) > 0.05), None)
    settled = next(t for t, f in changes if differs(f, final) < 0.01)
    p.terminate()
    p.wait()
    time.sleep(0.8)
    label = " (warm-up, not counted)" if r == 0 else ""
    print(f"  start {r}{label}: window drawn {first_window*1000:.0f} ms, dashboard painted as it settles {settled*1000:.0f} ms")
    if r > 0:
        results.append(settled * 1000)
xvfb.terminate()
results.sort()
what = "a bare WebKitGTK window painted" if app.endswith("bare_webkit.py") else "dashboard painted"
print(f"process start to {what}, without WebDriver: median {results[(len(results)-1)//2]:.0f} ms "
      f"(min {results[0]:.0f}, max {results[-1]:.0f}, n={len(results)})")
