//! `idv-eval`: the attack makers, kept out of the service's binary. It turns one photo into a
//! performance of any challenge (`render`) and runs the attack evaluation (`liveness`), which
//! makes presentations of every species: tools an attacker would want, so the release build of
//! `scripts/build.sh` does not build them. Built only with the `eval-tools` feature (the test
//! command and the benchmarks build it: the browser tests and `./scripts/bench.sh` render
//! synthetic people with it).
#![forbid(unsafe_code)]

use std::process::ExitCode;

use app::server::{
    config::Config,
    verify::{face::FaceModels, mesh::FaceMesh, presentations, synth},
};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "idv-eval",
    version,
    about = "Synthetic presentations and the attack evaluation (not part of the service)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// A synthetic live presentation (Y4M): the face of --photo performing a challenge (JSON
    /// as the capture page shows it, or a random one), after --lead-ms of idle. Prints the
    /// challenge and the prompt timeline as JSON.
    Render {
        #[arg(long)]
        photo: std::path::PathBuf,
        #[arg(long)]
        challenge: Option<String>,
        #[arg(long, default_value_t = 0)]
        lead_ms: u32,
        #[arg(long, default_value_t = 15)]
        fps: u32,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// The attack evaluation: presentations of every species made from the labelled photos of
    /// DIR (scripts/eval-media.sh), judged end to end; prints APCER/BPCER, writes JSON.
    Liveness {
        dir: std::path::PathBuf,
        #[arg(long)]
        out: std::path::PathBuf,
        /// Attacks of each species at most (every photo also makes a genuine presentation).
        #[arg(long, default_value_t = 12)]
        per_species: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("idv-eval: {e}");
            return ExitCode::FAILURE;
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(cli.command, &config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("idv-eval: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: &Config) -> anyhow::Result<()> {
    let models = FaceModels::load(&config.models_dir)?;
    let mesh = FaceMesh::load(&config.models_dir)?;
    match command {
        Command::Render {
            photo,
            challenge,
            lead_ms,
            fps,
            out,
        } => {
            use app::challenge::Challenge;
            let challenge: Challenge = match challenge {
                Some(j) => serde_json::from_str(&j)?,
                None => Challenge::random(),
            };
            let actor = synth::Actor::from_file(&models, &mesh, &photo)?;
            std::fs::write(
                &out,
                synth::perform(&actor, &challenge, lead_ms, fps.max(1)),
            )?;
            let shown: Vec<u32> = challenge.steps.iter().map(|s| s.at_ms).collect();
            let printed = serde_json::json!({
                "challenge": challenge,
                "timeline": {"shown_ms": shown},
            });
            println!("{printed}");
        }
        Command::Liveness {
            dir,
            out,
            per_species,
        } => {
            let work = out.with_extension("work");
            let report =
                presentations::run(&models, &mesh, &dir, per_species.max(1), &work).await?;
            std::fs::remove_dir_all(&work).ok();
            std::fs::write(&out, serde_json::to_vec_pretty(&report)?)?;
            print!("{}", presentations::table(&report));
            eprintln!("idv-eval: wrote {}", out.display());
        }
    }
    Ok(())
}
