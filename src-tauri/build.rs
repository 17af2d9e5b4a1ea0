fn main() {
    // Declaring the app's own commands makes tauri-build generate the
    // `allow-<command>` / `deny-<command>` permissions for them; a command is
    // then only callable from a window whose capability grants it
    // (see capabilities/default.json).
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&["app_info"])))
        .expect("failed to run tauri-build");
}
