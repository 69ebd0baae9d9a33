#!/bin/sh
# Install MLP Studio for you alone, without root, from the unpacked archive:
#   tar xzf mlp-studio-*-linux-*.tar.gz && mlp-studio/install.sh
# The folder is copied to ~/.local/lib/mlp-studio, `mlp-studio` is linked into ~/.local/bin, and the app's own
# --install-desktop-entry puts MLP Studio in the applications menu with its icons and the .mlpstudio file type.
#   ~/.local/lib/mlp-studio/install.sh --uninstall    removes all of that again (your projects stay).
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
dest="${MLP_STUDIO_INSTALL_DIR:-$HOME/.local/lib/mlp-studio}"
bin="${MLP_STUDIO_BIN_DIR:-$HOME/.local/bin}"

uninstall() {
    if [ -x "$dest/mlp-studio" ]; then
        "$dest/mlp-studio" --uninstall-desktop-entry
    fi
    if [ -L "$bin/mlp-studio" ] && [ "$(readlink "$bin/mlp-studio")" = "$dest/mlp-studio" ]; then
        rm -f "$bin/mlp-studio"
    fi
    rm -rf "$dest"
    echo "MLP Studio is uninstalled."
}

install() {
    if [ ! -x "$here/mlp-studio" ] || [ ! -d "$here/_internal" ]; then
        echo "install.sh must stay in the unpacked mlp-studio folder, beside the mlp-studio program." >&2
        exit 1
    fi
    if [ "$here" != "$(cd "$(dirname "$dest")" 2>/dev/null && pwd -P)/$(basename "$dest")" ]; then
        mkdir -p "$(dirname "$dest")"
        rm -rf "$dest.new"
        cp -R "$here" "$dest.new"
        rm -rf "$dest"
        mv "$dest.new" "$dest"
    fi
    mkdir -p "$bin"
    ln -sfn "$dest/mlp-studio" "$bin/mlp-studio"
    "$dest/mlp-studio" --install-desktop-entry
    case ":$PATH:" in
        *":$bin:"*) echo "Start it from the menu, or type: mlp-studio" ;;
        *) echo "Start it from the menu, or type: $bin/mlp-studio ($bin is on your PATH after you log in again)" ;;
    esac
}

case "${1:-}" in
    --uninstall) uninstall ;;
    "") install ;;
    *) echo "usage: install.sh [--uninstall]" >&2; exit 2 ;;
esac
