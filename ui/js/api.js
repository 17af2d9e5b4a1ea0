// The only module that talks to the Rust side of the app over Tauri's IPC.
// Everything else imports the typed helpers below instead of calling
// window.__TAURI__ directly, so the IPC surface stays in one place.

function tauriInvoke() {
  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core || typeof tauri.core.invoke !== "function") {
    return null;
  }
  return tauri.core.invoke;
}

async function invoke(command, args) {
  const fn = tauriInvoke();
  if (fn === null) {
    throw new Error("The Seatbook backend is not available (open the page inside the desktop app).");
  }
  return fn(command, args);
}

/**
 * Name and version of the running application, the database it uses, the reseller's name
 * (null before set-up) and the number of open customers.
 * Rejects with the core's error object {code, message, field}.
 * @returns {Promise<{name: string, version: string, database: string, company: string|null, customers: number}>}
 */
export async function appInfo() {
  const info = await invoke("app_info");
  return {
    name: String(info.name),
    version: String(info.version),
    database: String(info.database),
    company: info.company === null ? null : String(info.company),
    customers: Number(info.customers),
  };
}
