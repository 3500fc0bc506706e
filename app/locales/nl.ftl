### The capture page (GET /verif/): what the end user reads and hears, in Dutch (nl, informal "je").
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

language = Taal
logo-alt = Logo van { $partner }
progress = Voortgang
step-consent = Toestemming
step-selfie = Selfievideo
step-id = Foto identiteitsbewijs
step-submit = Versturen
try-again = Opnieuw proberen
camera-preview = Cameravoorbeeld
camera-starting = Camera wordt gestart…

## Consent (step 1). The consent text is versioned: change the meaning only with the English.

consent-title = Verifieer je identiteit
consent-intro = { $partner } vraagt je te bevestigen dat je de persoon op je identiteitsbewijs bent. Het duurt ongeveer een minuut.
consent-what-label = Wat we vastleggen:
consent-what = een selfievideo van 6 seconden en een foto van je officiële identiteitsbewijs.
consent-why-label = Waarom:
consent-why = om je gezicht te vergelijken met de foto op je identiteitsbewijs, en om te controleren dat je er persoonlijk bij bent.
consent-who-label = Wie ontvangt het:
consent-who = { $partner }, die om deze controle heeft gevraagd. Niemand anders.
consent-how-long-label = Hoe lang:
consent-how-long =
    { $count ->
        [one] de bestanden worden na { $count } dag verwijderd; het resultaat wordt bewaard door { $partner }.
       *[other] de bestanden worden na { $count } dagen verwijderd; het resultaat wordt bewaard door { $partner }.
    }
consent-agree = Ik ga ermee akkoord dat mijn selfievideo en de foto van mijn identiteitsbewijs voor deze verificatie worden verwerkt.
consent-waiting = Lees en accepteer om verder te gaan.
consent-ready = Begin wanneer je klaar bent.
start = Starten
help-link = Kun je de camera niet gebruiken? Vraag hulp aan { $partner }

## The selfie video (step 2)

selfie-title = Neem een korte selfievideo op
selfie-intro-challenge =
    { $count ->
        [one] Houd je telefoon op ooghoogte, in goed licht. Tijdens de opname vragen korte aanwijzingen je om je hoofd te draaien, omhoog te kijken of te knipperen: doe elke aanwijzing zodra die verschijnt en kijk daarna weer in de camera. Het duurt ongeveer { $count } seconde.
       *[other] Houd je telefoon op ooghoogte, in goed licht. Tijdens de opname vragen korte aanwijzingen je om je hoofd te draaien, omhoog te kijken of te knipperen: doe elke aanwijzing zodra die verschijnt en kijk daarna weer in de camera. Het duurt ongeveer { $count } seconden.
    }
selfie-light = Tijdens de opname verandert het scherm rond de camera van kleur: dat licht op je gezicht laat zien dat jij het echt bent, nu. Houd je gezicht dicht bij het scherm.
camera-ready-selfie = Camera klaar. Zet je gezicht in het ovaal en druk dan op Opnemen.
camera-ready-id = Camera klaar. Plaats je identiteitsbewijs binnen het kader en druk dan op Foto maken.
record = Opnemen
recording = Bezig met opnemen…
countdown = De opname begint over { $n }…
recording-finishing = Opname wordt afgerond…
recording-failed = De opname is mislukt ({ $detail }). Neem opnieuw op.
cannot-record = Deze browser kan geen video opnemen. Upload in plaats daarvan een korte video van je gezicht.
no-camera-help = Lukken de bewegingen niet, of heb je hier geen camera? Upload dan een korte video van je gezicht: iemand bekijkt die persoonlijk, en dat duurt langer.
upload-video = In plaats daarvan een opgenomen video uploaden
video-ready = Je video is klaar. Bekijk hem en gebruik hem of neem opnieuw op.
selfie-check = Controleer of je gezicht duidelijk te zien is en of je je hoofd hebt gedraaid.
your-selfie = Je selfievideo
record-again = Opnieuw opnemen
use-video = Deze video gebruiken
now-id = Nu een foto van je identiteitsbewijs.

## The prompts shown (and read aloud) while recording

prompt-look = Kijk recht in de camera
prompt-left-slow = Draai je hoofd langzaam naar links
prompt-right-slow = Draai je hoofd nu langzaam naar rechts
prompt-turn-left = Draai je hoofd naar jouw linkerkant
prompt-turn-right = Draai je hoofd naar jouw rechterkant
prompt-look-up = Kijk omhoog
prompt-look-down = Kijk omlaag
prompt-blink = Knipper twee keer met je ogen

## Camera problems: a headline and what to do

camera-denied = De toegang tot de camera is geblokkeerd.
camera-denied-help = Klik op het camerapictogram (of het pictogram voor site-instellingen) in de adresbalk, kies Toestaan en druk dan op Opnieuw proberen.
camera-denied-help-firefox = Klik op het camerapictogram in de adresbalk, hef de blokkering op en druk dan op Opnieuw proberen.
camera-denied-help-safari = Op iPhone of iPad: Instellingen › Safari › Camera › Sta toe. Op een Mac: Safari › Instellingen › Websites › Camera › Sta toe. Druk daarna op Opnieuw proberen.
camera-none = Er is geen camera gevonden op dit apparaat.
camera-none-help = Upload in plaats daarvan een korte video van je gezicht, of open deze link op een telefoon.
camera-busy = De camera is bezet.
camera-busy-help = Sluit andere apps of tabbladen die de camera gebruiken en druk dan op Opnieuw proberen.
camera-unsupported = Deze browser kan de camera hier niet gebruiken.
camera-unsupported-help = Upload in plaats daarvan een korte video van je gezicht, of gebruik een recente versie van Chrome, Firefox of Safari.
camera-other = De camera kon niet starten ({ $detail }).
camera-other-help = Druk op Opnieuw proberen, of upload in plaats daarvan een video.

## The ID (step 3)

id-title = Voeg een foto van je identiteitsbewijs toe
doc-question = Welk document ga je fotograferen?
doc-passport = Paspoort
doc-id-card = Identiteitskaart
doc-licence = Rijbewijs
# $document is one of the three names above
doc-chosen = Gekozen document: { $document }.
side-any-front = Een paspoort, identiteitskaart of rijbewijs: fotografeer de kant met je foto.
side-passport = Open je paspoort op de pagina met je foto en onderaan de twee regels met letters en <-tekens, en fotografeer die pagina.
side-id-card-front = Eerst de voorkant van je identiteitskaart, de kant met je foto. Daarna fotografeer je de andere kant.
side-licence-front = Eerst de voorkant van je rijbewijs, de kant met je foto. Daarna fotografeer je de achterkant.
side-id-card-back = Nu de kant met onderaan de twee of drie regels met letters en <-tekens (de machineleesbare zone). Bij de meeste identiteitskaarten is dat de achterkant.
side-licence-back = Nu de achterkant van je rijbewijs, met de grote streepjescode.
side-any-back = Nu de achterkant van je identiteitsbewijs.
back-title-id-card = Nu de achterkant van je identiteitskaart
back-title-licence = Nu de achterkant van je rijbewijs
back-title-any = Nu de achterkant van je identiteitsbewijs
tips = Voor een leesbare foto
tip-corners = Het hele document binnen het kader, met alle vier de hoeken zichtbaar.
tip-flat = Plat op tafel, in goed licht.
tip-glare = Geen schittering, en geen vingers over de tekst of de streepjescode.
tip-sharp = Scherp: beweeg niet terwijl je de foto maakt.
camera-photo = Maak een foto met de camera
take-photo = Foto maken
upload-photo = Een foto uploaden
upload-photo-instead = In plaats daarvan een foto uploaden
photo-failed = De foto is mislukt ({ $detail }). Probeer het opnieuw.
photo-check = Controleer of elke letter scherp en leesbaar is, zonder schittering en zonder dat er iets bedekt is.
id-check-front = Controleer of het hele identiteitsbewijs scherp en leesbaar is, zonder schittering.
id-check-back = Controleer of de hele achterkant scherp en leesbaar is, zonder schittering.
id-another-front = Kies een andere foto van je identiteitsbewijs.
id-another-back = Kies een andere foto van de achterkant.
choose-another = Andere kiezen
use-photo = Deze foto gebruiken
your-id-photo = Foto van je identiteitsbewijs
your-id-back = Je foto van de achterkant van je identiteitsbewijs
too-big-video = Deze video is groter dan de limiet van { $limit }. Kies een kleinere.
too-big-photo = Deze foto is groter dan de limiet van { $limit }. Kies een kleinere.

## Sending (step 4)

send-title = Versturen voor verificatie
send-intro = Je video en de foto van je identiteitsbewijs gaan naar { $partner }, alleen voor deze controle.
send-intro-back = Je video en de foto's van je identiteitsbewijs gaan naar { $partner }, alleen voor deze controle.
ready-to-send = Klaar om te versturen.
back = Terug
submit = Versturen
uploading = Uploaden…
# $sent and $total are sizes ("1.2 MB")
upload-progress = Uploaden: { $sent } van { $total }
uploaded = Geüpload. Je video en identiteitsbewijs worden gecontroleerd…
processing = Je video en identiteitsbewijs worden gecontroleerd… dit duurt een paar seconden.
upload-not-started = Het uploaden kon niet starten ({ $detail }).
upload-network = Het uploaden is niet gelukt. Controleer je verbinding en probeer het opnieuw; je video en foto blijven bewaard.
live-lost = De verbinding viel weg tijdens de opname. Controleer je verbinding en neem de video opnieuw op.
answer-unreadable = Het antwoord van de server kon niet worden gelezen. Probeer het opnieuw.
retake-video = Neem de video opnieuw op
retake-id = Kies een andere foto van je identiteitsbewijs
retake-back = Kies een andere foto van de achterkant
link-return = Ga terug naar { $partner } en start de verificatie opnieuw.
challenge-retry = De opname volgde de aanwijzingen op het scherm niet.
challenge-follow = Volg elke aanwijzing zodra die verschijnt.
tries-left =
    { $count ->
        [one] Dit is de laatste poging.
       *[other] Nog { $count } pogingen over.
    }

## What the server said, in the user's words (the server's own messages are English)

error-files = De video of een foto kon niet worden gebruikt. Neem de video opnieuw op of kies de foto's opnieuw.
error-too-large = Een bestand is groter dan de limiet. Kies een kleiner bestand.
error-file-type = Een bestand is geen video of foto die deze dienst kan lezen.
error-link-invalid = Deze verificatielink is niet geldig.
error-link-used = Deze verificatielink is al gebruikt.
error-link-expired = Deze verificatielink is verlopen.
error-too-many = Te veel pogingen. Wacht een minuut en probeer het dan opnieuw.
error-busy = De dienst is op dit moment te druk. Probeer het over een minuut opnieuw.
error-server = Er ging bij ons iets mis. Probeer het opnieuw.
error-other = De server gaf een foutmelding ({ $status }).
unavailable-title = Verificatie niet beschikbaar
unavailable-back = Ga terug naar de site die je hierheen heeft gestuurd en probeer het opnieuw.

## The result (step 5)

done-verified = Klaar: je identiteit is geverifieerd.
done-review = Klaar: je verificatie wordt beoordeeld.
done-rejected = Klaar: je identiteit kon niet worden geverifieerd.
verified-title = Je bent geverifieerd
verified-text = Bedankt. { $partner } weet nu dat je identiteit is bevestigd.
review-title = Bedankt, we controleren het
review-text = Je video en identiteitsbewijs moeten door een persoon nader worden bekeken. { $partner } laat je de uitkomst weten.
rejected-title = We konden je niet verifiëren
rejected-text = We konden niet bevestigen dat de video en de foto van het identiteitsbewijs dezelfde persoon tonen. Vraag { $partner } om een nieuwe verificatielink om het opnieuw te proberen.
reference = Referentie:
files-deleted-on = Je video en foto's worden verwijderd op { $date }.
continue = Doorgaan naar { $partner }

## Advice after a rejection, for causes the user can fix

advice-id-photo-visible = Zorg dat de foto op je identiteitsbewijs helemaal zichtbaar is en dichtbij genoeg.
advice-id-alone = Fotografeer alleen je identiteitsbewijs, zonder andere gezichten in beeld.
advice-id-light = Maak de foto van je identiteitsbewijs in gelijkmatig licht, zonder schittering, en beweeg niet.
advice-face-oval = Houd je gezicht tijdens de hele opname binnen het ovaal.
advice-alone = Neem de video op zonder andere mensen in beeld.
advice-turn = Volg de aanwijzingen: draai je hoofd naar links en daarna naar rechts.
advice-full-video = Neem de hele video op zonder de pagina te verlaten.
advice-good-light = Neem op in goed licht en houd je telefoon stil.
advice-challenge = Doe elke beweging zodra de aanwijzing verschijnt: draai of kijk zoals gevraagd, knipper als dat gevraagd wordt, en kijk tussen de aanwijzingen door recht in de camera.
advice-record-here = Neem de video op deze pagina op met de camera, in plaats van een bestand te uploaden.
advice-document-photo = Fotografeer de kant met de machineleesbare regels (de fotopagina van het paspoort, de achterkant van een identiteitskaart) of de streepjescode (de achterkant van een rijbewijs): plat, dichtbij, scherp en zonder schittering.
advice-document-valid = Gebruik een identiteitsbewijs dat nog geldig is.
advice-document-type = Kies het type document dat je fotografeert.
