//! Reading the machine-readable zone: the zone's crop through Tesseract with an MRZ model
//! (Doubango's `mrz.traineddata`, OCR-B only, pinned at set-up), the text through the `mrz`
//! crate's parser, which validates every check digit. README ("Documents") says why Tesseract
//! and not an ONNX recogniser.

use std::{
    io::{Read, Write},
    path::Path,
    process::{Command, Output, Stdio},
    time::Duration,
};

use image::GrayImage;

use super::{Budget, zone};

/// A zone read: the parsed record and whether every check digit verified on a plain read (no
/// reading repaired by guessing characters until the check digits agree).
#[derive(Debug, Clone)]
pub struct MrzRead {
    pub data: mrz::MrzData,
    pub check_digits_valid: bool,
}

/// The line widths of the zone formats (TD1, TD2 and MRV-B, TD3 and MRV-A).
const WIDTHS: [usize; 3] = [30, 36, 44];

/// Zone candidates tried per photo.
const CANDIDATES: usize = 3;

/// Looks for the zone on a photo and reads it; `None` when no zone-shaped text was read.
/// Blocking (runs Tesseract): call from a blocking thread.
pub fn read(
    gray: &GrayImage,
    tessdata: &Path,
    budget: &Budget,
    trace: Option<&Path>,
) -> anyhow::Result<Option<MrzRead>> {
    static TRACED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let mut best: Option<MrzRead> = None;
    for z in zone::find(gray, CANDIDATES) {
        for flip in [false, true] {
            budget.check()?;
            let crop = zone::crop(gray, &z, flip);
            let text = ocr(&crop, tessdata, budget)?;
            if let Some(dir) = trace {
                let n = TRACED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let _ = crop.save(dir.join(format!("{n:05}.png")));
                let _ = std::fs::write(dir.join(format!("{n:05}.txt")), format!("{z:?}\n{text}"));
            }
            let Some(read) = parse(&text) else {
                continue;
            };
            if read.check_digits_valid {
                return Ok(Some(read));
            }
            let better = best
                .as_ref()
                .is_none_or(|b| read.data.checks.verified() > b.data.checks.verified());
            if better {
                best = Some(read);
            }
        }
    }
    Ok(best)
}

/// OCR text into a zone: the lines that look like MRZ lines, parsed. A reading the parser only
/// reached through its damaged-capture search (guessing characters until the check digits
/// agree) is kept but never counts as valid: an altered check digit must not be "repaired".
pub fn parse(text: &str) -> Option<MrzRead> {
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            let keep = |s: &str| {
                s.chars()
                    .filter(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '<')
                    .collect::<String>()
            };
            let line = keep(l);
            if WIDTHS.contains(&line.len()) {
                return line;
            }
            // a line of no zone width with a stray mark or two set apart at an end (the
            // document's edge read as `I` or `L`): the line without them
            let mut words: Vec<&str> = l.split_whitespace().collect();
            while words.len() > 1 && words[0].len() <= 2 {
                words.remove(0);
            }
            while words.len() > 1 && words[words.len() - 1].len() <= 2 {
                words.pop();
            }
            keep(&words.concat())
        })
        .filter(|l| l.len() >= 20)
        .collect();
    if lines.len() < 2 {
        return None;
    }
    // the lines exactly as read, when they are a whole zone whose check digits all verify;
    // otherwise the crate's search, which also repairs shifted and misread lines
    let (mut data, check_digits_valid) = match strict(&lines) {
        Some(d) => (d, true),
        None => {
            let d = mrz::find_and_parse(&lines.join("\n")).ok()?;
            let valid = d.checks.all_valid() && !d.damaged_recovery;
            (d, valid)
        }
    };
    split_names(&mut data);
    Some(MrzRead {
        data,
        check_digits_valid,
    })
}

/// Consecutive lines of one format's exact width that parse with every check digit valid.
fn strict(lines: &[String]) -> Option<mrz::MrzData> {
    let ok = |r: Result<mrz::MrzData, mrz::MrzError>| {
        r.ok().filter(|d| d.valid() && !d.damaged_recovery)
    };
    for w in lines.windows(3) {
        if w.iter().all(|l| l.len() == 30)
            && let Some(d) = ok(mrz::parse_td1(&w[0], &w[1], &w[2]))
        {
            return Some(d);
        }
    }
    for w in lines.windows(2) {
        let visa = w[0].starts_with('V');
        let parsed = match (w[0].len(), w[1].len(), visa) {
            (44, 44, false) => mrz::parse_td3(&w[0], &w[1]),
            (44, 44, true) => mrz::parse_mrv_a(&w[0], &w[1]),
            (36, 36, false) => mrz::parse_td2(&w[0], &w[1]),
            (36, 36, true) => mrz::parse_mrv_b(&w[0], &w[1]),
            _ => continue,
        };
        if let Some(d) = ok(parsed) {
            return Some(d);
        }
    }
    None
}

/// The names as ICAO 9303 splits them: the primary identifier (surname) before `<<`, the
/// secondary (given names) after; with no `<<` the whole field is the primary identifier
/// (the crate splits at the first single `<` instead, which cuts a two-word surname).
fn split_names(d: &mut mrz::MrzData) {
    let lines: Vec<&str> = d.mrz_lines.lines().collect();
    let field = match (d.format, lines.as_slice()) {
        (mrz::Format::Td1, [_, _, l3, ..]) if l3.len() >= 30 => &l3[..30],
        (mrz::Format::Td2 | mrz::Format::MrvB, [l1, ..]) if l1.len() >= 36 => &l1[5..36],
        (mrz::Format::Td3 | mrz::Format::MrvA, [l1, ..]) if l1.len() >= 44 => &l1[5..44],
        _ => return,
    };
    let field = field.trim_end_matches('<');
    let (surname, given) = field.split_once("<<").unwrap_or((field, ""));
    let words = |s: &str| {
        s.split('<')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    d.surname = words(surname);
    d.given_names = words(given);
}

/// Tesseract on one crop (PNG on stdin, text on stdout), one thread, within `budget`.
fn ocr(crop: &GrayImage, tessdata: &Path, budget: &Budget) -> anyhow::Result<String> {
    let mut png = Vec::new();
    crop.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)?;
    let mut cmd = Command::new("tesseract");
    cmd.arg("stdin")
        .arg("stdout")
        .arg("--tessdata-dir")
        .arg(tessdata)
        .args(["-l", "mrz", "--psm", "6", "-c"])
        .arg("tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
        .env("OMP_THREAD_LIMIT", "1");
    let out = run(cmd, png, budget).map_err(|e| e.context("tesseract"))?;
    if !out.status.success() {
        anyhow::bail!(
            "tesseract failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// What is kept of a child's output: the zone's text is a few lines, its diagnostics a few.
const STDOUT_CAP: u64 = 1 << 20;
const STDERR_CAP: u64 = 4 << 10;

/// Reads `pipe` to its end on a thread of its own, keeping the first `cap` bytes.
fn drain<R: Read + Send + 'static>(pipe: Option<R>, cap: u64) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.by_ref().take(cap).read_to_end(&mut kept);
            let _ = std::io::copy(&mut p, &mut std::io::sink());
        }
        kept
    })
}

/// Runs `cmd` with `input` on its stdin, its stdout and stderr drained while it runs (a child
/// that writes more than a pipe holds never blocks; beyond the caps the bytes are read and
/// dropped), killed when `budget` runs out or is cancelled.
fn run(mut cmd: Command, input: Vec<u8>, budget: &Budget) -> anyhow::Result<Output> {
    budget.check()?;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| anyhow::anyhow!("starting: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let stdout = drain(child.stdout.take(), STDOUT_CAP);
    let stderr = drain(child.stderr.take(), STDERR_CAP);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if let Err(stop) = budget.check() {
            let _ = child.kill();
            let _ = child.wait();
            // the pipes close with the child: the threads end
            let _ = (writer.join(), stdout.join(), stderr.join());
            return Err(stop);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let _ = writer.join();
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::document::Cancel;
    use std::time::Instant;

    fn budget(secs: f32) -> Budget {
        Budget {
            deadline: Instant::now() + Duration::from_secs_f32(secs),
            cancel: Cancel::default(),
        }
    }

    /// A child that writes more than a pipe holds (64 KiB) finishes: its output is read
    /// while it runs, not after it exits (which it could not while the pipe was full).
    #[test]
    fn a_child_writing_a_megabyte_is_drained_while_it_runs() {
        let mut cmd = Command::new("head");
        cmd.args(["-c", "1000000", "/dev/zero"]);
        let start = Instant::now();
        let out = run(cmd, Vec::new(), &budget(20.0)).unwrap();
        assert!(out.status.success());
        assert_eq!(out.stdout.len(), 1_000_000);
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    /// Past the reading's one deadline, or cancelled (the submission gone), the child is killed
    /// and the reading stops at once.
    #[test]
    fn a_child_is_killed_at_the_deadline_and_on_cancel() {
        let sleeper = || {
            let mut cmd = Command::new("sleep");
            cmd.arg("30");
            cmd
        };
        let start = Instant::now();
        let e = run(sleeper(), Vec::new(), &budget(0.3)).unwrap_err();
        assert!(e.to_string().contains("ran out of time"), "{e}");
        assert!(start.elapsed() < Duration::from_secs(5));

        let b = budget(60.0);
        let cancel = b.cancel.clone();
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            cancel.cancel();
        });
        let start = Instant::now();
        let e = run(sleeper(), Vec::new(), &b).unwrap_err();
        stopper.join().unwrap();
        assert!(e.to_string().contains("cancelled"), "{e}");
        assert!(start.elapsed() < Duration::from_secs(5));
        // nothing starts once the budget is spent
        let e = run(sleeper(), Vec::new(), &b).unwrap_err();
        assert!(e.to_string().contains("cancelled"), "{e}");
    }

    const L1: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
    const L2: &str = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";

    #[test]
    fn a_clean_zone_parses_valid() {
        let r = parse(&format!("noise line\n{L1}\n{L2}\n")).unwrap();
        assert!(r.check_digits_valid);
        assert_eq!(r.data.surname, "ERIKSSON");
        assert_eq!(r.data.given_names, "ANNA MARIA");
    }

    #[test]
    fn an_altered_check_digit_is_never_valid() {
        // the date of birth's check digit 2 → 3
        let altered = L2.replacen("7408122", "7408123", 1);
        let r = parse(&format!("{L1}\n{altered}")).unwrap();
        assert!(!r.check_digits_valid, "{:?}", r.data.checks);
        // the expiry digit altered instead
        let altered = L2.replacen("1204159", "1204158", 1);
        assert!(
            !parse(&format!("{L1}\n{altered}"))
                .unwrap()
                .check_digits_valid
        );
    }

    #[test]
    fn a_name_without_a_separator_is_all_surname_and_a_two_letter_code_stays() {
        let l1 = "P<PRTWOLFESCHLEGELSTEINHAUSENBERGER<OKONKWO<";
        let l2 = "227027<<<0PRT7903317F3412097<<<<<<<<<<<<<<00";
        let r = parse(&format!("{l1}\n{l2}")).unwrap();
        assert!(r.check_digits_valid);
        assert_eq!(r.data.surname, "WOLFESCHLEGELSTEINHAUSENBERGER OKONKWO");
        assert_eq!(r.data.given_names, "");
        // `PA`: a passport type letter, not a misread filler before the country
        let l1 = "PAUSASMITH<<NOAH<HANS<JUERGEN<<<<<<<<<<<<<<<";
        let l2 = "005775<<<0USA0404295<31123089105581<<<<<<<12";
        let r = parse(&format!("{l1}\n{l2}")).unwrap();
        assert!(r.check_digits_valid);
        assert_eq!(r.data.issuing_country, "USA");
        assert_eq!(r.data.surname, "SMITH");
        assert_eq!(r.data.given_names, "NOAH HANS JUERGEN");
    }

    #[test]
    fn text_without_a_zone_is_none() {
        assert!(parse("PASSPORT\nSURNAME ERIKSSON\n").is_none());
    }
}
