#!/usr/bin/env bash
# Regenerates every app icon from icons/icon.svg.
#
# Needs (Debian/Ubuntu): librsvg2-bin (rsvg-convert), imagemagick (convert),
# icnsutils (png2icns).
#   sudo apt-get install -y librsvg2-bin imagemagick icnsutils
set -euo pipefail

cd "$(dirname "$0")"

for tool in rsvg-convert convert png2icns; do
  command -v "$tool" >/dev/null || {
    echo "generate.sh: '$tool' not found (apt-get install librsvg2-bin imagemagick icnsutils)" >&2
    exit 1
  }
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

render() { # size output
  rsvg-convert --width "$1" --height "$1" --keep-aspect-ratio icon.svg --output "$2"
}

# PNGs referenced by src-tauri/tauri.conf.json (bundle.icon) and used as the
# default window icon on Linux (icon.png).
render 32 32x32.png
render 128 128x128.png
render 256 128x128@2x.png
render 512 icon.png

# Windows Store / MSIX style logos (optional for the bundler, cheap to keep).
for s in 30 44 71 89 107 142 150 284 310; do
  render "$s" "Square${s}x${s}Logo.png"
done
render 50 StoreLogo.png

# Windows .ico with the usual sizes.
ico_parts=()
for s in 16 24 32 48 64 128 256; do
  render "$s" "$tmp/ico-$s.png"
  ico_parts+=("$tmp/ico-$s.png")
done
convert "${ico_parts[@]}" icon.ico

# macOS .icns (png2icns picks the icon type from each PNG's size).
icns_parts=()
for s in 16 32 128 256 512 1024; do
  render "$s" "$tmp/icns-$s.png"
  icns_parts+=("$tmp/icns-$s.png")
done
png2icns icon.icns "${icns_parts[@]}" >/dev/null

# The UI shows the same mark in its sidebar.
cp icon.svg ../ui/img/logo.svg

# rsvg-convert writes plain 8-bit RGBA PNGs without timestamps, so the output
# is reproducible. Keep it that way: Tauri rejects non-RGBA (palette) PNGs, so
# do not post-process the PNGs with ImageMagick.

echo "icons regenerated in $(pwd)"
