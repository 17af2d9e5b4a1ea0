//! `recon`: Microsoft's invoice reconciliation file imported, reported on and fixed.

use crate::args::ReconCommand;
use crate::{out, render, write_file, Ctx, Output};
use seatbook::app::recon;
use seatbook::Result;

pub fn recon(ctx: &mut Ctx, cmd: ReconCommand) -> Result<Output> {
    match cmd {
        ReconCommand::Import { file, replace } => {
            let r = recon::import(&mut ctx.store, &ctx.clock, &file, replace, &mut |_| {})?;
            out(&r, render::recon_import(&r))
        }
        ReconCommand::List => {
            let list = recon::list(&ctx.store)?;
            out(&list, render::recon_list(&list))
        }
        ReconCommand::Report { invoice, csv } => {
            let r = recon::report(&ctx.store, &invoice)?;
            if let Some(path) = csv {
                write_file(&path, recon::table(&r).to_csv().as_bytes())?;
            }
            out(&r, render::recon_report(&r))
        }
        ReconCommand::Fix { finding } => {
            let r = recon::fix(&mut ctx.store, &ctx.clock, &finding)?;
            out(&r, format!("Finding {}: {}.\n", r.finding, r.done))
        }
        ReconCommand::File { invoice, out: path } => {
            let f = recon::file(&ctx.store, &invoice)?;
            write_file(&path, &f.bytes)?;
            let written = serde_json::json!({
                "invoice": f.import.invoice,
                "file": f.import.file,
                "bytes": f.bytes.len(),
                "out": path.display().to_string(),
            });
            out(
                &written,
                format!(
                    "Wrote {} ({} bytes, Microsoft's invoice {}) to {}.\n",
                    f.import.file,
                    f.bytes.len(),
                    f.import.invoice,
                    path.display()
                ),
            )
        }
    }
}
