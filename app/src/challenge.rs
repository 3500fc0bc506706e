//! The liveness challenge: prompts the server chooses for each capture link (random order,
//! random timing), shown by the capture page during the recording, and the timeline the page
//! reports back (when each prompt appeared, on the recording's own clock). The server checks
//! the video's frames against both (`server::verify::liveness`).

use serde::{Deserialize, Serialize};

/// One thing the user is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prompt {
    TurnLeft,
    TurnRight,
    LookUp,
    LookDown,
    Blink,
}

impl Prompt {
    /// What the page shows and its live region announces.
    pub fn msg(self) -> crate::i18n::Msg {
        use crate::i18n::Msg;
        match self {
            Self::TurnLeft => Msg::PromptTurnLeft,
            Self::TurnRight => Msg::PromptTurnRight,
            Self::LookUp => Msg::PromptLookUp,
            Self::LookDown => Msg::PromptLookDown,
            Self::Blink => Msg::PromptBlink,
        }
    }
    /// The arrow of the animated guide (`None`: the eyes icon).
    pub fn css_class(self) -> &'static str {
        match self {
            Self::TurnLeft => "cue left",
            Self::TurnRight => "cue right",
            Self::LookUp => "cue up",
            Self::LookDown => "cue down",
            Self::Blink => "cue blink",
        }
    }
}

/// A prompt and when the page shows it, in milliseconds after the recording starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub prompt: Prompt,
    pub at_ms: u32,
}

/// The challenge of one capture link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    pub steps: Vec<Step>,
    /// How long the recording lasts, in milliseconds.
    pub record_ms: u32,
}

/// Milliseconds after a prompt appears within which its response must be reached.
pub const RESPONSE_WINDOW_MS: u32 = 1_300;
/// Milliseconds after a prompt appears within which its response must have started.
pub const ONSET_WINDOW_MS: u32 = 1_100;
/// How far the reported time of a prompt may be from its scheduled time.
pub const TIMELINE_SLACK_MS: u32 = 500;

/// When each prompt appeared on the recording's timeline, as the page measured it; sent with
/// the submission as the form field `challenge_timeline` (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    pub shown_ms: Vec<u32>,
    /// A live recording's evidence, per prompt, never read from a client: how much video had
    /// arrived when the server sent it (the newest frame's time, on the recording's clock).
    /// The answer must lie in video that arrived after the prompt was sent.
    #[serde(skip)]
    pub arrived_ms: Vec<u32>,
}

impl Timeline {
    /// What a page reports: when each prompt appeared, and no live evidence.
    pub fn page(shown_ms: Vec<u32>) -> Self {
        Self {
            shown_ms,
            arrived_ms: Vec::new(),
        }
    }
}

/// A live recording: how far before its send time a prompt may show on the recording's
/// clock (the recorder starts when the server's `record` arrives; its start and the network's
/// jitter move the clocks apart by this much at most).
pub const LIVE_CLOCK_SLACK_MS: u32 = 250;
/// A live recording: how far the video that had arrived may lag behind the server's clock
/// when a prompt is sent. A longer lag would give a renderer that long to answer the prompt.
pub const LIVE_MAX_LAG_MS: u32 = 2_500;

/// One state of the screen's light during a live recording: the colour the page fills the
/// screen with from `at_ms` (on the recording's clock: when the server sent it) until the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Light {
    pub at_ms: u32,
    pub rgb: [u8; 3],
}

/// The screen's colours: spread over the colour wheel, bright, never a saturated red
/// (photosensitivity: no state has R/(R+G+B) ≥ 0.8).
pub const LIGHT_PALETTE: [[u8; 3]; 6] = [
    [255, 255, 255],
    [0, 230, 255],
    [40, 90, 255],
    [40, 255, 90],
    [255, 240, 0],
    [255, 110, 255],
];

#[cfg(feature = "ssr")]
impl Light {
    /// A random sequence for a recording of `record_ms`: from 300 ms on, each state 400–700 ms
    /// (at most 2.5 changes a second, under WCAG 2.3.1's three flashes), or 1,000–1,400 ms
    /// when the user asked for reduced motion; no colour twice in a row.
    pub fn random(record_ms: u32, reduced_motion: bool) -> Vec<Self> {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        let (min, max) = if reduced_motion {
            (1_000, 1_400)
        } else {
            (400, 700)
        };
        let mut out: Vec<Self> = Vec::new();
        let mut at = 300;
        while at + min / 2 < record_ms {
            let rgb = loop {
                let c = LIGHT_PALETTE[rng.gen_range(0..LIGHT_PALETTE.len())];
                if out.last().is_none_or(|l| l.rgb != c) {
                    break c;
                }
            };
            out.push(Self { at_ms: at, rgb });
            at += 50 * rng.gen_range(min / 50..=max / 50);
        }
        out
    }
}

#[cfg(feature = "ssr")]
impl Challenge {
    /// Three different head moves of four and one blink, in random order, each 1.4–1.8 s
    /// after the previous one (the first 0.8–1.2 s in), in 100 ms steps: 96 orders × 5⁴
    /// timings, 6.5–8.1 s of video.
    pub fn random() -> Self {
        use rand::{Rng, seq::SliceRandom};
        let mut rng = rand::thread_rng();
        let mut moves = [
            Prompt::TurnLeft,
            Prompt::TurnRight,
            Prompt::LookUp,
            Prompt::LookDown,
        ];
        moves.shuffle(&mut rng);
        let mut prompts = moves[..3].to_vec();
        prompts.insert(rng.gen_range(0..=3), Prompt::Blink);
        let mut at = 800 + 100 * rng.gen_range(0..=4);
        let mut steps = Vec::new();
        for (i, prompt) in prompts.into_iter().enumerate() {
            if i > 0 {
                at += 1_400 + 100 * rng.gen_range(0..=4);
            }
            steps.push(Step { prompt, at_ms: at });
        }
        Self {
            record_ms: at + RESPONSE_WINDOW_MS + 200,
            steps,
        }
    }
}

/// The longest recording [`Challenge::random`] draws: the last prompt at most 1.2 + 3 × 1.8 s
/// in, its response window, and 200 ms.
pub const MAX_RECORD_MS: u32 = 1_200 + 3 * 1_800 + RESPONSE_WINDOW_MS + 200;

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn random_challenges_vary_and_fit_the_recording() {
        let all: Vec<Challenge> = (0..200).map(|_| Challenge::random()).collect();
        for c in &all {
            assert_eq!(c.steps.len(), 4);
            assert_eq!(
                c.steps.iter().filter(|s| s.prompt == Prompt::Blink).count(),
                1
            );
            let moves: std::collections::HashSet<_> = c.steps.iter().map(|s| s.prompt).collect();
            assert_eq!(moves.len(), 4, "{c:?}");
            assert!(c.steps.windows(2).all(|w| w[1].at_ms >= w[0].at_ms + 1_400));
            assert!(c.record_ms <= MAX_RECORD_MS, "{c:?}");
            for reduced in [false, true] {
                let lights = Light::random(c.record_ms, reduced);
                assert!(lights.len() >= if reduced { 4 } else { 8 }, "{lights:?}");
                for w in lights.windows(2) {
                    assert_ne!(w[0].rgb, w[1].rgb);
                    assert!(w[1].at_ms - w[0].at_ms >= if reduced { 1_000 } else { 400 });
                }
            }
        }
        for c in LIGHT_PALETTE {
            let sum: u32 = c.iter().map(|&v| u32::from(v)).sum();
            assert!(u32::from(c[0]) * 10 < sum * 8, "no saturated red: {c:?}");
        }
        let distinct: std::collections::HashSet<String> = all
            .iter()
            .map(|c| serde_json::to_string(c).unwrap())
            .collect();
        assert!(distinct.len() > 150, "{} distinct of 200", distinct.len());
    }
}
