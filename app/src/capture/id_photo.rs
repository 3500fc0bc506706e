//! The ID photo step: camera snapshot or file, size check, review.

use super::*;

pub(super) fn set_id_photo(f: Flow, m: Media) {
    if let Some(p) = too_big("photo", &m, f.data.with_value(|d| d.max_photo_bytes)) {
        browser::discard(Slot::Id, Some(&m));
        f.problem.set(Some(p));
        return;
    }
    browser::close_camera();
    f.camera.set(Camera::Off);
    f.id_camera.set(false);
    f.problem.set(None);
    f.id_photo.set(Some(m));
    f.say("Check that the whole ID is sharp and readable, without glare.");
    request_animation_frame(|| browser::focus("id-accept"));
}

pub(super) fn retake_id(f: Flow) {
    let old = f.id_photo.get_untracked();
    browser::discard(Slot::Id, old.as_ref());
    f.id_photo.set(None);
    f.say("Choose another photo of your ID.");
    if f.step.get_untracked() != Step::Id {
        f.go(Step::Id);
    }
}

#[component]
pub(super) fn IdStep(f: Flow) -> impl IntoView {
    let take = move |_| {
        let r = browser::snapshot("id-video", move |r| match r {
            Ok(m) => set_id_photo(f, m),
            Err(e) => f
                .problem
                .set(Some(format!("The photo failed ({e}). Try again."))),
        });
        if let Err(e) = r {
            f.problem
                .set(Some(format!("The photo failed ({e}). Try again.")));
        }
    };
    view! {
        <section class="card step" aria-labelledby="step-title">
            <h1 id="step-title" tabindex="-1">"Add a photo of your ID"</h1>
            {move || match (f.id_photo.get(), f.id_camera.get()) {
                (Some(m), _) => view! {
                    <img id="id-preview" class="id-preview" src=m.url alt="Your ID photo"/>
                    <p class="meta">{format!("{} · {}", m.file_name, mb(m.size as f64))}</p>
                    <div class="actions">
                        <button class="secondary" id="id-retake" on:click=move |_| retake_id(f)>"Choose another"</button>
                        <button class="primary" id="id-accept" on:click=move |_| { f.go(Step::Submit); f.say("Ready to send."); }>"Use this photo"</button>
                    </div>
                }.into_any(),
                (None, true) => view! {
                    <p>"Place your passport, ID card or driving licence flat, in good light, and fit it inside the frame."</p>
                    <div class="camera id">
                        <video id="id-video" autoplay=true playsinline=true prop:muted=true aria-label="Camera preview"></video>
                        <div class="guide card-frame" aria-hidden="true"></div>
                    </div>
                    {move || match f.camera.get() {
                        Camera::Failed(e) => {
                            let (head, help) = camera_problem(&e);
                            Some(view! { <div class="problem" role="alert"><strong>{head}</strong><p>{help}</p></div> })
                        }
                        _ => None,
                    }}
                    <button class="primary" id="id-capture" disabled=move || f.camera.get() != Camera::Live on:click=take>"Take photo"</button>
                    <FilePick id="id-file" accept="image/*,.heic,.heif" label="Upload a photo instead"
                        on_pick=move || if let Some(m) = browser::take_file("id-file", Slot::Id) { set_id_photo(f, m) }/>
                }.into_any(),
                (None, false) => view! {
                    <p>"A passport, ID card or driving licence. The photo on it must be sharp; avoid glare and cover nothing."</p>
                    <button class="primary" id="id-camera-start" on:click=move |_| {
                        f.id_camera.set(true);
                        start_camera(f, Facing::Environment, "id-video");
                    }>"Take a photo with the camera"</button>
                    <FilePick id="id-file" accept="image/*,.heic,.heif" label="Upload a photo"
                        on_pick=move || if let Some(m) = browser::take_file("id-file", Slot::Id) { set_id_photo(f, m) }/>
                }.into_any(),
            }}
        </section>
    }
}
