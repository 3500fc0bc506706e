//! The ID steps: which document (passport, ID card, driving licence), then a photo of its
//! front and, for an ID card or a licence, of its back; each by camera snapshot or file, with
//! a size check and a review. Both sides share [`PhotoSide`].

use crate::contract::DocumentType;

use super::*;

/// Which side of the document a photo shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// The side with the holder's photo (a passport's photo page): `id_photo`.
    Front,
    /// An ID card's or a licence's back: `id_photo_back`.
    Back,
}

/// The element ids of one side's controls. The front's are the page's long-standing ids (the
/// browser tests use them); the back's add `back`.
#[derive(Debug, Clone, Copy)]
struct SideIds {
    video: &'static str,
    capture: &'static str,
    file: &'static str,
    camera_start: &'static str,
    preview: &'static str,
    retake: &'static str,
    accept: &'static str,
    help: &'static str,
}

impl Side {
    fn ids(self) -> SideIds {
        match self {
            Side::Front => SideIds {
                video: "id-video",
                capture: "id-capture",
                file: "id-file",
                camera_start: "id-camera-start",
                preview: "id-preview",
                retake: "id-retake",
                accept: "id-accept",
                help: "id-side-help",
            },
            Side::Back => SideIds {
                video: "id-back-video",
                capture: "id-back-capture",
                file: "id-back-file",
                camera_start: "id-back-camera-start",
                preview: "id-back-preview",
                retake: "id-back-retake",
                accept: "id-back-accept",
                help: "id-back-side-help",
            },
        }
    }

    fn slot(self) -> Slot {
        match self {
            Side::Front => Slot::Id,
            Side::Back => Slot::IdBack,
        }
    }

    /// The name of a camera snapshot of this side.
    fn file_name(self) -> &'static str {
        match self {
            Side::Front => "id.jpg",
            Side::Back => "id-back.jpg",
        }
    }

    /// The flow's photo of this side.
    fn photo(self, f: Flow) -> RwSignal<Option<Media>> {
        match self {
            Side::Front => f.id_photo,
            Side::Back => f.id_back,
        }
    }

    fn step(self) -> Step {
        match self {
            Side::Front => Step::Id,
            Side::Back => Step::IdBack,
        }
    }

    /// The preview's description, for screen readers.
    fn alt(self) -> Msg {
        match self {
            Side::Front => Msg::YourIdPhoto,
            Side::Back => Msg::YourIdBack,
        }
    }
}

/// A document type's name.
fn doc_name(t: DocumentType) -> Msg {
    match t {
        DocumentType::Passport => Msg::DocPassport,
        DocumentType::IdCard => Msg::DocIdCard,
        DocumentType::DrivingLicence => Msg::DocLicence,
    }
}

/// The back step's heading for the chosen document.
fn back_title(t: Option<DocumentType>) -> Msg {
    match t {
        Some(DocumentType::IdCard) => Msg::BackTitleIdCard,
        Some(DocumentType::DrivingLicence) => Msg::BackTitleLicence,
        _ => Msg::BackTitleAny,
    }
}

/// What to photograph on `side` of the chosen document: the side that carries its
/// machine-readable data.
fn which_side(t: Option<DocumentType>, side: Side) -> Msg {
    match (t, side) {
        (None, Side::Front) => Msg::SideAnyFront,
        (Some(DocumentType::Passport), _) => Msg::SidePassport,
        (Some(DocumentType::IdCard), Side::Front) => Msg::SideIdCardFront,
        (Some(DocumentType::DrivingLicence), Side::Front) => Msg::SideLicenceFront,
        (Some(DocumentType::IdCard), Side::Back) => Msg::SideIdCardBack,
        (Some(DocumentType::DrivingLicence), Side::Back) => Msg::SideLicenceBack,
        (None, Side::Back) => Msg::SideAnyBack,
    }
}

/// The chosen document has a back to photograph.
pub(super) fn has_back(f: Flow) -> bool {
    f.doc_type
        .get_untracked()
        .is_some_and(DocumentType::has_back)
}

/// The user picked a document type. Another type makes a back photo taken for the old one
/// meaningless: it is dropped.
fn choose(f: Flow, t: DocumentType) {
    if f.doc_type.get_untracked() == Some(t) {
        return;
    }
    let old = f.id_back.get_untracked();
    if old.is_some() {
        browser::discard(Slot::IdBack, old.as_ref());
        f.id_back.set(None);
    }
    f.doc_type.set(Some(t));
    let name = f.t(doc_name(t));
    f.say(format!(
        "{} {}",
        f.tf(Msg::DocChosen, &[("document", name)]),
        f.t(which_side(Some(t), Side::Front))
    ));
}

/// A photo of `side` was taken or picked: refused when over the limit, else kept for review.
fn set_photo(f: Flow, side: Side, m: Media) {
    if let Some(p) = too_big(
        f,
        Msg::TooBigPhoto,
        &m,
        f.data.with_value(|d| d.max_photo_bytes),
    ) {
        browser::discard(side.slot(), Some(&m));
        f.problem.set(Some(p));
        return;
    }
    browser::close_camera();
    f.camera.set(Camera::Off);
    f.id_camera.set(false);
    f.problem.set(None);
    side.photo(f).set(Some(m));
    f.say(f.t(match side {
        Side::Front => Msg::IdCheckFront,
        Side::Back => Msg::IdCheckBack,
    }));
    let accept = side.ids().accept;
    request_animation_frame(move || browser::focus(accept));
}

/// Drops the photo of `side` and shows its step again for another one.
pub(super) fn retake_photo(f: Flow, side: Side) {
    let photo = side.photo(f);
    let old = photo.get_untracked();
    browser::discard(side.slot(), old.as_ref());
    photo.set(None);
    f.say(f.t(match side {
        Side::Front => Msg::IdAnotherFront,
        Side::Back => Msg::IdAnotherBack,
    }));
    if f.step.get_untracked() != side.step() {
        f.go(side.step());
    }
}

/// The photo of `side` is accepted: on to the back when the document has one, else to the
/// selfie.
fn accept(f: Flow, side: Side) {
    if side == Side::Front && has_back(f) {
        f.go(Step::IdBack);
        f.say(f.t(which_side(f.doc_type.get_untracked(), Side::Back)));
    } else {
        begin_selfie(f);
    }
}

/// The ID step: the document picker and the front (a passport's photo page).
#[component]
pub(super) fn IdStep(f: Flow) -> impl IntoView {
    view! {
        <section class="card step" aria-labelledby="step-title">
            <h1 id="step-title" tabindex="-1">{f.t(Msg::IdTitle)}</h1>
            <DocumentPicker f=f/>
            <PhotoSide f=f side=Side::Front/>
        </section>
    }
}

/// The back of an ID card or a licence, where its zone or barcode is.
#[component]
pub(super) fn IdBackStep(f: Flow) -> impl IntoView {
    view! {
        <section class="card step" aria-labelledby="step-title">
            <h1 id="step-title" tabindex="-1">
                {move || f.t(back_title(f.doc_type.get()))}
            </h1>
            <PhotoSide f=f side=Side::Back/>
        </section>
    }
}

/// The three document types as large radio buttons (a labelled group: arrow keys move between
/// them). None is chosen at first: a photo without a choice is sent as before, without
/// `document_type`.
#[component]
fn DocumentPicker(f: Flow) -> impl IntoView {
    let input_id = |t: DocumentType| match t {
        DocumentType::Passport => "doc-type-passport",
        DocumentType::IdCard => "doc-type-id_card",
        DocumentType::DrivingLicence => "doc-type-driving_licence",
    };
    view! {
        <fieldset class="doc-types" id="document-type">
            <legend>{f.t(Msg::DocQuestion)}</legend>
            <div class="doc-options">
                {DocumentType::ALL.into_iter().map(|t| view! {
                    <label class="doc-option" for=input_id(t)>
                        <input
                            type="radio"
                            name="document_type"
                            id=input_id(t)
                            value=t.as_str()
                            prop:checked=move || f.doc_type.get() == Some(t)
                            on:change=move |_| choose(f, t)
                        />
                        <span>{f.t(doc_name(t))}</span>
                    </label>
                }).collect_view()}
            </div>
        </fieldset>
    }
}

/// How to take a photo the service can read.
#[component]
fn PhotoTips(f: Flow) -> impl IntoView {
    view! {
        <ul class="photo-tips" aria-label=f.t(Msg::Tips)>
            <li>{f.t(Msg::TipCorners)}</li>
            <li>{f.t(Msg::TipFlat)}</li>
            <li>{f.t(Msg::TipGlare)}</li>
            <li>{f.t(Msg::TipSharp)}</li>
        </ul>
    }
}

/// One side's photo: what to photograph, then the camera or a file, then the review with
/// retake and accept.
#[component]
fn PhotoSide(f: Flow, side: Side) -> impl IntoView {
    let ids = side.ids();
    let photo = side.photo(f);
    let failed = move |e: String| {
        f.problem
            .set(Some(f.tf(Msg::PhotoFailed, &[("detail", &e)])));
    };
    let take = move |_| {
        let r = browser::snapshot(ids.video, side.slot(), side.file_name(), move |r| match r {
            Ok(m) => set_photo(f, side, m),
            Err(e) => failed(e),
        });
        if let Err(e) = r {
            failed(e);
        }
    };
    let pick = move || {
        if let Some(m) = browser::take_file(ids.file, side.slot()) {
            set_photo(f, side, m)
        }
    };
    let help = move || {
        view! { <p id=ids.help class="side-help">{f.t(which_side(f.doc_type.get(), side))}</p> }
    };
    // only the photo and the camera switch re-render this: a new type changes the help text,
    // never the live camera's video element
    view! {
        {move || match (photo.get(), f.id_camera.get()) {
            (Some(m), _) => view! {
                <img id=ids.preview class="id-preview" src=m.url alt=f.t(side.alt())/>
                <p>{f.t(Msg::PhotoCheck)}</p>
                <p class="meta">{format!("{} · {}", m.file_name, f.size(m.size as f64))}</p>
                <div class="actions">
                    <button class="secondary" id=ids.retake on:click=move |_| retake_photo(f, side)>{f.t(Msg::ChooseAnother)}</button>
                    <button class="primary" id=ids.accept on:click=move |_| accept(f, side)>{f.t(Msg::UsePhoto)}</button>
                </div>
            }.into_any(),
            (None, true) => view! {
                {help}
                <PhotoTips f=f/>
                <div class="camera id">
                    <video id=ids.video autoplay=true playsinline=true prop:muted=true aria-label=f.t(Msg::CameraPreview)></video>
                    <div class="guide card-frame" aria-hidden="true"></div>
                </div>
                {move || match f.camera.get() {
                    Camera::Failed(e) => {
                        let (head, help) = camera_problem(f, &e);
                        Some(view! { <div class="problem" role="alert"><strong>{head}</strong><p>{help}</p></div> })
                    }
                    _ => None,
                }}
                <button class="primary" id=ids.capture disabled=move || f.camera.get() != Camera::Live on:click=take>{f.t(Msg::TakePhoto)}</button>
                <FilePick id=ids.file accept="image/*,.heic,.heif" label=f.t(Msg::UploadPhotoInstead) on_pick=pick/>
            }.into_any(),
            (None, false) => view! {
                {help}
                <PhotoTips f=f/>
                <button class="primary" id=ids.camera_start on:click=move |_| {
                    f.id_camera.set(true);
                    start_camera(f, Facing::Environment, ids.video);
                }>{f.t(Msg::CameraPhoto)}</button>
                <FilePick id=ids.file accept="image/*,.heic,.heif" label=f.t(Msg::UploadPhoto) on_pick=pick/>
            }.into_any(),
        }}
    }
}
