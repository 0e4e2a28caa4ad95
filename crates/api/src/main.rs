//! `campaign`: thin entry point; everything else is in the library.

use std::process::ExitCode;

use campaign_api::auth::Passwords;
use campaign_api::cli::{Cli, Command, ServeArgs, UserCommand};
use campaign_api::commands::demo::{self, DemoOptions};
use campaign_api::commands::import_boundaries::{BoundarySource, ensure_boundaries, import_boundaries};
use campaign_api::commands::{open_database, serve::serve, users::add_user};

#[tokio::main]
async fn main() -> ExitCode {
    let mut cli = Cli::parse_with_env();
    if cli.command.is_none() {
        // `campaign` alone means `campaign serve`, with serve's settings from the environment.
        cli = Cli::parse_from_with_env(std::env::args_os().chain(std::iter::once("serve".into())));
    }
    campaign_api::telemetry::init(cli.global.log_format);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve(&cli.global, &ServeArgs::default()).await,
        Some(Command::Serve(args)) => serve(&cli.global, &args).await,
        Some(Command::Migrate) => {
            open_database(&cli.global, false).await?;
            Ok(())
        }
        Some(Command::ImportBoundaries(args)) => {
            let db = open_database(&cli.global, false).await?;
            let source = BoundarySource::File {
                path: args.file.clone(),
                code_property: args.code_property.clone(),
            };
            let count = import_boundaries(&db, &source, args.allow_partial).await?;
            println!("imported the boundaries of {count} municipalities; restart running servers to use them");
            Ok(())
        }
        Some(Command::VerifyTotals(args)) => {
            let db = open_database(&cli.global, false).await?;
            let totals = campaign_persistence::totals::TotalsRepo::new(db);
            if args.repair {
                let repair = totals.repair().await?;
                for difference in &repair.differences {
                    println!("{difference}");
                }
                match repair.differences.len() {
                    0 => println!("the totals agree with the ledger"),
                    n => println!(
                        "rebuilt the totals from the ledger ({} rows, {n} differed)",
                        repair.rows
                    ),
                }
                return Ok(());
            }
            let differences = totals.verify().await?;
            if differences.is_empty() {
                println!("the totals agree with the ledger");
                return Ok(());
            }
            for difference in &differences {
                println!("{difference}");
            }
            anyhow::bail!(
                "{} total(s) disagree with the ledger; run `campaign verify-totals --repair` to rebuild them",
                differences.len()
            )
        }
        Some(Command::Demo(args)) => {
            let db = open_database(&cli.global, true).await?;
            ensure_boundaries(&db, None).await?;
            let options = DemoOptions {
                entries: args.demo_entries,
                seed: args.demo_seed,
            };
            let report = demo::load_or_refresh(&db, &Passwords::new()?, options).await?;
            println!("{}", demo::render(&report, "http://127.0.0.1:8080"));
            if cli.global.database_url.is_none() {
                println!("Serve it with: campaign serve --demo");
            }
            Ok(())
        }
        Some(Command::User(UserCommand::Add(args))) => {
            let db = open_database(&cli.global, false).await?;
            let user = add_user(&db, &args).await?;
            println!(
                "created {} account {} ({})",
                user.membership.role().as_str(),
                user.email,
                user.id
            );
            Ok(())
        }
    }
}
