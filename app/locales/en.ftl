### The capture page (GET /verif/): what the end user reads and hears, in English.
### English is the reference: every other locales/*.ftl has exactly these message ids, and a
### message missing there falls back to this one.
###
### Variables (the page fills them in; keep them, move them where the language wants them):
###   $partner  the partner's display name ("Acme Bank")
###   $count    a number that chooses the plural form: use a select expression
###             { $count -> [one] … *[other] … } with the language's CLDR plural categories
###   $n        a countdown number (3, 2, 1)
###   $detail   a short technical reason, in English (from the browser)
###   $limit, $sent, $total   file sizes already formatted for the language ("50 MB", "2,4 Mo")
###   $document a document name from doc-passport / doc-id-card / doc-licence
###   $date     a date already formatted for the language
###   $status   an HTTP status number
### Write for a person on a phone: short, plain, polite, second person.

## The language switcher and the page frame

language = Language
logo-alt = { $partner } logo
progress = Progress
step-consent = Consent
step-selfie = Selfie video
step-id = ID photo
step-submit = Submit
try-again = Try again
camera-preview = Camera preview
camera-starting = Starting the camera…

## Consent (step 1). The consent text is versioned: change the meaning only with the English.

consent-title = Verify your identity
consent-intro = { $partner } asks you to confirm that you are the person on your ID. It takes about a minute.
consent-what-label = What we capture:
consent-what = a 6-second selfie video and a photo of your government ID.
consent-why-label = Why:
consent-why = to compare your face with the photo on your ID, and to check that you are there in person.
consent-who-label = Who receives it:
consent-who = { $partner }, who asked for this check. Nobody else.
consent-how-long-label = How long:
consent-how-long =
    { $count ->
        [one] the files are deleted after { $count } day; the result is kept by { $partner }.
       *[other] the files are deleted after { $count } days; the result is kept by { $partner }.
    }
consent-agree = I agree that my selfie video and ID photo are processed for this verification.
consent-waiting = Please read and accept to continue.
consent-ready = Ready when you are.
start = Start
help-link = Can't use the camera? Get help from { $partner }

## The selfie video (step 2)

selfie-title = Record a short selfie video
selfie-intro-challenge =
    { $count ->
        [one] Hold your phone at eye level in good light. While recording, short prompts ask you to turn your head, look up or blink: do each one when it appears, then look back at the camera. It takes about { $count } second.
       *[other] Hold your phone at eye level in good light. While recording, short prompts ask you to turn your head, look up or blink: do each one when it appears, then look back at the camera. It takes about { $count } seconds.
    }
selfie-light = The screen around the camera changes colour while you record: that light on your face shows it is really you, now. Keep your face close to the screen.
camera-ready-selfie = Camera ready. Put your face inside the oval, then press Record.
camera-ready-id = Camera ready. Fit your ID inside the frame, then press Take photo.
record = Record
recording = Recording…
countdown = Recording starts in { $n }…
recording-finishing = Finishing the recording…
recording-failed = The recording failed ({ $detail }). Please record again.
cannot-record = This browser cannot record video. Upload a short video of your face instead.
no-camera-help = Can't do the movements, or no camera here? Upload a short video of your face instead: a person will review it, which takes longer.
upload-video = Upload a recorded video instead
video-ready = Your video is ready. Watch it, then use it or record again.
selfie-check = Check that your face is clear and that you turned your head.
your-selfie = Your selfie video
record-again = Record again
use-video = Use this video
now-id = Now a photo of your ID.

## The prompts shown (and read aloud) while recording

prompt-look = Look straight at the camera
prompt-left-slow = Slowly turn your head to the left
prompt-right-slow = Now slowly turn your head to the right
prompt-turn-left = Turn your head to your left
prompt-turn-right = Turn your head to your right
prompt-look-up = Look up
prompt-look-down = Look down
prompt-blink = Blink twice

## Camera problems: a headline and what to do

camera-denied = Camera access is blocked.
camera-denied-help = Click the camera icon (or the site settings icon) in the address bar, choose Allow, then press Try again.
camera-denied-help-firefox = Click the camera icon in the address bar, remove the block, then press Try again.
camera-denied-help-safari = On iPhone or iPad: Settings › Safari › Camera › Allow. On a Mac: Safari › Settings › Websites › Camera › Allow. Then press Try again.
camera-none = No camera was found on this device.
camera-none-help = Upload a short video of your face instead, or open this link on a phone.
camera-busy = The camera is busy.
camera-busy-help = Close other apps or tabs that use the camera, then press Try again.
camera-unsupported = This browser cannot use the camera here.
camera-unsupported-help = Upload a short video of your face instead, or use a recent Chrome, Firefox or Safari.
camera-other = The camera could not start ({ $detail }).
camera-other-help = Press Try again, or upload a video instead.

## The ID (step 3)

id-title = Add a photo of your ID
doc-question = Which document will you photograph?
doc-passport = Passport
doc-id-card = ID card
doc-licence = Driving licence
# $document is one of the three names above
doc-chosen = { $document } chosen.
side-any-front = A passport, ID card or driving licence: photograph the side with your photo.
side-passport = Open your passport at the page with your photo and the two lines of letters and < signs at the bottom, and photograph that page.
side-id-card-front = First the front of your ID card, the side with your photo. You photograph the other side next.
side-licence-front = First the front of your driving licence, the side with your photo. You photograph the back next.
side-id-card-back = Now the side with the two or three lines of letters and < signs at the bottom (the machine-readable zone). On most ID cards, that is the back.
side-licence-back = Now the back of your driving licence, with the large barcode.
side-any-back = Now the back of your ID.
back-title-id-card = Now the back of your ID card
back-title-licence = Now the back of your driving licence
back-title-any = Now the back of your ID
tips = For a readable photo
tip-corners = The whole document inside the frame, all four corners visible.
tip-flat = Flat on a table, in good light.
tip-glare = No glare, and no fingers over the text or the barcode.
tip-sharp = Sharp: hold still while you take the photo.
camera-photo = Take a photo with the camera
take-photo = Take photo
upload-photo = Upload a photo
upload-photo-instead = Upload a photo instead
photo-failed = The photo failed ({ $detail }). Try again.
photo-check = Check that every letter is sharp and readable, with no glare and nothing covered.
id-check-front = Check that the whole ID is sharp and readable, without glare.
id-check-back = Check that the whole back is sharp and readable, without glare.
id-another-front = Choose another photo of your ID.
id-another-back = Choose another photo of the back.
choose-another = Choose another
use-photo = Use this photo
your-id-photo = Your ID photo
your-id-back = Your photo of the back of your ID
too-big-video = This video is larger than the { $limit } limit. Choose a smaller one.
too-big-photo = This photo is larger than the { $limit } limit. Choose a smaller one.

## Sending (step 4)

send-title = Send for verification
send-intro = Your video and ID photo go to { $partner } for this check only.
send-intro-back = Your video and the photos of your ID go to { $partner } for this check only.
ready-to-send = Ready to send.
back = Back
submit = Submit
uploading = Uploading…
# $sent and $total are sizes ("1.2 MB")
upload-progress = Uploading { $sent } of { $total }
uploaded = Uploaded. Checking your video and ID…
processing = Checking your video and ID… this takes a few seconds.
upload-not-started = The upload could not start ({ $detail }).
upload-network = The upload did not get through. Check your connection and try again; your video and photo are kept.
live-lost = The connection dropped during the recording. Check your connection, then record the video again.
answer-unreadable = The answer from the server could not be read. Please try again.
retake-video = Record the video again
retake-id = Choose another ID photo
retake-back = Choose another photo of the back
link-return = Return to { $partner } and start the verification again.
challenge-retry = The recording did not follow the prompts on screen.
challenge-follow = Follow each prompt as it appears.
tries-left =
    { $count ->
        [one] This is the last try.
       *[other] { $count } tries left.
    }

## What the server said, in the user's words (the server's own messages are English)

error-files = The video or a photo could not be used. Record the video or choose the photos again.
error-too-large = A file is larger than the limit. Choose a smaller one.
error-file-type = A file is not a video or photo this service can read.
error-link-invalid = This verification link is not valid.
error-link-used = This verification link has already been used.
error-link-expired = This verification link has expired.
error-too-many = Too many attempts. Wait a minute, then try again.
error-busy = The service is busy. Try again in a minute.
error-server = Something went wrong on our side. Please try again.
error-other = The server answered with an error ({ $status }).
unavailable-title = Verification unavailable
unavailable-back = Please go back to the site that sent you here and try again.

## The result (step 5)

done-verified = Done: your identity is verified.
done-review = Done: your verification is under review.
done-rejected = Done: your identity could not be verified.
verified-title = You're verified
verified-text = Thank you. { $partner } now knows that your identity is confirmed.
review-title = Thanks, we're checking
review-text = Your video and ID need a closer look by a person. { $partner } will tell you the result.
rejected-title = We could not verify you
rejected-text = The video and the ID photo could not be confirmed as the same person. Ask { $partner } for a new verification link to try again.
reference = Reference:
files-deleted-on = Your video and photos are deleted on { $date }.
continue = Continue to { $partner }

## Advice after a rejection, for causes the user can fix

advice-id-photo-visible = Make sure the photo on your ID is fully visible and close enough.
advice-id-alone = Photograph your ID alone, with no other faces in the picture.
advice-id-light = Take the ID photo in even light, without glare, and hold still.
advice-face-oval = Keep your face inside the oval for the whole recording.
advice-alone = Record the video alone.
advice-turn = Follow the prompts: turn your head left, then right.
advice-full-video = Record the full video without leaving the page.
advice-good-light = Record in good light and hold the phone steady.
advice-challenge = Do each movement when its prompt appears: turn or look as asked, blink when asked, and face the camera between prompts.
advice-record-here = Record the video on this page with the camera instead of uploading a file.
advice-document-photo = Photograph the side with the machine-readable lines (the passport's photo page, the back of an ID card) or the barcode (the back of a licence): flat, close, sharp, without glare.
advice-document-valid = Use an identity document that is still valid.
advice-document-type = Choose the type of the document you photograph.
