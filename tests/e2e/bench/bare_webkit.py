#!/usr/bin/python3
"""The peer of the app's cold start: a bare WebKitGTK window (GTK 3, WebKit2GTK 4.1, the same
libraries Tauri uses on Linux) of the app's size, showing a static page of the same shape (a
sidebar and a table of ten rows), with nothing else: no IPC, no database, no scripts.

  bare_webkit.py   (paint.py times it as it times the app: `paint.py bare_webkit.py - RUNS`)
"""
import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2  # noqa: E402

ROWS = "".join(f"<tr><td>Customer {i}</td><td>{i * 3} seats</td><td>R {i * 1234},00</td></tr>" for i in range(1, 11))
PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><style>
body {{ margin: 0; font: 14px system-ui, sans-serif; display: flex; height: 100vh; }}
nav {{ width: 220px; background: #1f2a37; color: #fff; padding: 16px; }}
main {{ flex: 1; padding: 24px; }} table {{ border-collapse: collapse; width: 100%; }}
td {{ border-bottom: 1px solid #ddd; padding: 8px; }}
</style></head><body><nav><b>Seatbook</b><p>Dashboard</p><p>Customers</p><p>Invoices</p></nav>
<main><h1>Dashboard</h1><table>{ROWS}</table></main></body></html>"""

window = Gtk.Window(title="Bare WebKitGTK")
window.set_default_size(1200, 800)
window.connect("destroy", Gtk.main_quit)
view = WebKit2.WebView()
view.load_html(PAGE, "about:blank")
window.add(view)
window.show_all()
Gtk.main()
