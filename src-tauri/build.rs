//! Declaring the app's own commands makes tauri-build generate the `allow-<command>` /
//! `deny-<command>` permissions for them; a command is then only callable from a window whose
//! capability grants it (capabilities/default.json). The list is src/commands/names.rs, which
//! the app includes too.

include!("src/commands/names.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/commands/names.rs");
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)))
        .expect("failed to run tauri-build");
}
