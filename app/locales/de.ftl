### The capture page (GET /verif/): what the end user reads and hears, in German ("Sie").
### Translated from en.ftl, the reference: this file has exactly the same message ids, and a
### message missing here falls back to the English one.
###
### Variables (the page fills them in; keep them, move them where the language wants them):
###   $partner  the partner's display name ("Acme Bank")
###   $count    a number that chooses the plural form: use a select expression
###             { $count -> [one] … *[other] … } with the language's CLDR plural categories
###   $n        a countdown number (3, 2, 1)
###   $detail   a short technical reason, in English (from the browser)
###   $limit, $sent, $total   file sizes already formatted for the language ("50 MB", "2,4 MB")
###   $document a document name from doc-passport / doc-id-card / doc-licence
###   $date     a date already formatted for the language
###   $status   an HTTP status number
### Write for a person on a phone: short, plain, polite, second person.

## The language switcher and the page frame

language = Sprache
logo-alt = Logo von { $partner }
progress = Fortschritt
step-consent = Einwilligung
step-selfie = Selfie-Video
step-id = Ausweisfoto
step-submit = Senden
try-again = Erneut versuchen
camera-preview = Kameravorschau
camera-starting = Kamera wird gestartet…

## Consent (step 1). The consent text is versioned: change the meaning only with the English.

consent-title = Bestätigen Sie Ihre Identität
consent-intro = { $partner } bittet Sie zu bestätigen, dass Sie die Person auf Ihrem Ausweis sind. Das dauert etwa eine Minute.
consent-what-label = Was wir aufnehmen:
consent-what = ein 6 Sekunden langes Selfie-Video und ein Foto Ihres amtlichen Ausweises.
consent-why-label = Warum:
consent-why = um Ihr Gesicht mit dem Foto auf Ihrem Ausweis zu vergleichen und um zu prüfen, dass Sie persönlich anwesend sind.
consent-who-label = Wer es erhält:
consent-who = { $partner }, die Stelle, die diese Prüfung angefordert hat. Sonst niemand.
consent-how-long-label = Wie lange:
consent-how-long =
    { $count ->
        [one] die Dateien werden nach { $count } Tag gelöscht; das Ergebnis bewahrt { $partner } auf.
       *[other] die Dateien werden nach { $count } Tagen gelöscht; das Ergebnis bewahrt { $partner } auf.
    }
consent-agree = Ich bin damit einverstanden, dass mein Selfie-Video und mein Ausweisfoto für diese Verifizierung verarbeitet werden.
consent-waiting = Bitte lesen und akzeptieren Sie, um fortzufahren.
consent-ready = Starten Sie, wann Sie bereit sind.
start = Starten
help-link = Sie können die Kamera nicht verwenden? Hilfe erhalten Sie bei { $partner }

## The selfie video (step 2)

selfie-title = Nehmen Sie ein kurzes Selfie-Video auf
selfie-intro-challenge =
    { $count ->
        [one] Halten Sie Ihr Handy auf Augenhöhe, bei gutem Licht. Während der Aufnahme werden Sie durch kurze Hinweise gebeten, den Kopf zu drehen, nach oben zu schauen oder zu blinzeln: Folgen Sie jedem Hinweis, sobald er erscheint, und schauen Sie dann wieder in die Kamera. Das dauert etwa { $count } Sekunde.
       *[other] Halten Sie Ihr Handy auf Augenhöhe, bei gutem Licht. Während der Aufnahme werden Sie durch kurze Hinweise gebeten, den Kopf zu drehen, nach oben zu schauen oder zu blinzeln: Folgen Sie jedem Hinweis, sobald er erscheint, und schauen Sie dann wieder in die Kamera. Das dauert etwa { $count } Sekunden.
    }
selfie-light = Während der Aufnahme wechselt der Bildschirm um die Kamera seine Farbe: Dieses Licht auf Ihrem Gesicht zeigt, dass Sie es wirklich sind, jetzt. Halten Sie Ihr Gesicht nah am Bildschirm.
camera-ready-selfie = Kamera bereit. Bringen Sie Ihr Gesicht in das Oval und tippen Sie dann auf „Aufnehmen“.
camera-ready-id = Kamera bereit. Bringen Sie Ihren Ausweis in den Rahmen und tippen Sie dann auf „Foto aufnehmen“.
record = Aufnehmen
recording = Aufnahme läuft…
countdown = Die Aufnahme beginnt in { $n }…
recording-finishing = Aufnahme wird abgeschlossen…
recording-failed = Die Aufnahme ist fehlgeschlagen ({ $detail }). Bitte nehmen Sie erneut auf.
cannot-record = Dieser Browser kann kein Video aufnehmen. Laden Sie stattdessen ein kurzes Video Ihres Gesichts hoch.
no-camera-help = Sie können die Bewegungen nicht ausführen oder haben hier keine Kamera? Laden Sie stattdessen ein kurzes Video Ihres Gesichts hoch: Eine Person prüft es, das dauert länger.
upload-video = Stattdessen ein aufgenommenes Video hochladen
video-ready = Ihr Video ist fertig. Sehen Sie es sich an und verwenden Sie es oder nehmen Sie es neu auf.
selfie-check = Prüfen Sie, ob Ihr Gesicht deutlich zu sehen ist und ob Sie den Kopf gedreht haben.
your-selfie = Ihr Selfie-Video
record-again = Neu aufnehmen
use-video = Dieses Video verwenden
now-id = Jetzt ein Foto Ihres Ausweises.

## The prompts shown (and read aloud) while recording

prompt-look = Schauen Sie direkt in die Kamera
prompt-left-slow = Drehen Sie den Kopf langsam nach links
prompt-right-slow = Drehen Sie den Kopf jetzt langsam nach rechts
prompt-turn-left = Drehen Sie den Kopf zu Ihrer linken Seite
prompt-turn-right = Drehen Sie den Kopf zu Ihrer rechten Seite
prompt-look-up = Schauen Sie nach oben
prompt-look-down = Schauen Sie nach unten
prompt-blink = Blinzeln Sie zweimal

## Camera problems: a headline and what to do

camera-denied = Der Kamerazugriff ist blockiert.
camera-denied-help = Klicken Sie in der Adressleiste auf das Kamerasymbol (oder auf das Symbol für die Website-Einstellungen), wählen Sie Zulassen und klicken Sie dann auf „Erneut versuchen“.
camera-denied-help-firefox = Klicken Sie in der Adressleiste auf das Kamerasymbol, heben Sie die Blockierung auf und klicken Sie dann auf „Erneut versuchen“.
camera-denied-help-safari = Auf iPhone oder iPad: Einstellungen › Safari › Kamera › Erlauben. Auf dem Mac: Safari › Einstellungen › Websites › Kamera › Erlauben. Tippen Sie dann auf „Erneut versuchen“.
camera-none = Auf diesem Gerät wurde keine Kamera gefunden.
camera-none-help = Laden Sie stattdessen ein kurzes Video Ihres Gesichts hoch oder öffnen Sie diesen Link auf einem Handy.
camera-busy = Die Kamera wird gerade verwendet.
camera-busy-help = Schließen Sie andere Apps oder Tabs, die die Kamera verwenden, und tippen Sie dann auf „Erneut versuchen“.
camera-unsupported = Dieser Browser kann die Kamera hier nicht verwenden.
camera-unsupported-help = Laden Sie stattdessen ein kurzes Video Ihres Gesichts hoch oder verwenden Sie eine aktuelle Version von Chrome, Firefox oder Safari.
camera-other = Die Kamera konnte nicht gestartet werden ({ $detail }).
camera-other-help = Tippen Sie auf „Erneut versuchen“ oder laden Sie stattdessen ein Video hoch.

## The ID (step 3)

id-title = Fügen Sie ein Foto Ihres Ausweises hinzu
doc-question = Welches Dokument möchten Sie fotografieren?
doc-passport = Reisepass
doc-id-card = Personalausweis
doc-licence = Führerschein
# $document is one of the three names above
doc-chosen = Gewähltes Dokument: { $document }.
side-any-front = Reisepass, Personalausweis oder Führerschein: Fotografieren Sie die Seite mit Ihrem Foto.
side-passport = Öffnen Sie Ihren Reisepass auf der Seite mit Ihrem Foto und den zwei Zeilen aus Buchstaben und <-Zeichen am unteren Rand, und fotografieren Sie diese Seite.
side-id-card-front = Zuerst die Vorderseite Ihres Personalausweises, die Seite mit Ihrem Foto. Die andere Seite fotografieren Sie danach.
side-licence-front = Zuerst die Vorderseite Ihres Führerscheins, die Seite mit Ihrem Foto. Die Rückseite fotografieren Sie danach.
side-id-card-back = Jetzt die Seite mit den zwei oder drei Zeilen aus Buchstaben und <-Zeichen am unteren Rand (die maschinenlesbare Zone). Bei den meisten Ausweiskarten ist das die Rückseite.
side-licence-back = Jetzt die Rückseite Ihres Führerscheins, mit dem großen Barcode.
side-any-back = Jetzt die Rückseite Ihres Ausweises.
back-title-id-card = Jetzt die Rückseite Ihres Personalausweises
back-title-licence = Jetzt die Rückseite Ihres Führerscheins
back-title-any = Jetzt die Rückseite Ihres Ausweises
tips = Für ein gut lesbares Foto
tip-corners = Das ganze Dokument im Rahmen, alle vier Ecken sichtbar.
tip-flat = Flach auf einem Tisch, bei gutem Licht.
tip-glare = Keine Spiegelungen und keine Finger über dem Text oder dem Barcode.
tip-sharp = Scharf: Halten Sie still, während Sie das Foto aufnehmen.
camera-photo = Foto mit der Kamera aufnehmen
take-photo = Foto aufnehmen
upload-photo = Foto hochladen
upload-photo-instead = Stattdessen ein Foto hochladen
photo-failed = Das Foto ist fehlgeschlagen ({ $detail }). Versuchen Sie es erneut.
photo-check = Prüfen Sie, ob jeder Buchstabe scharf und lesbar ist, ohne Spiegelungen und ohne dass etwas verdeckt ist.
id-check-front = Prüfen Sie, ob der ganze Ausweis scharf und lesbar ist, ohne Spiegelungen.
id-check-back = Prüfen Sie, ob die ganze Rückseite scharf und lesbar ist, ohne Spiegelungen.
id-another-front = Wählen Sie ein anderes Foto Ihres Ausweises.
id-another-back = Wählen Sie ein anderes Foto der Rückseite.
choose-another = Anderes wählen
use-photo = Dieses Foto verwenden
your-id-photo = Ihr Ausweisfoto
your-id-back = Ihr Foto der Ausweisrückseite
too-big-video = Dieses Video ist größer als das Limit von { $limit }. Wählen Sie ein kleineres.
too-big-photo = Dieses Foto ist größer als das Limit von { $limit }. Wählen Sie ein kleineres.

## Sending (step 4)

send-title = Zur Verifizierung senden
send-intro = Ihr Video und Ihr Ausweisfoto gehen nur für diese Prüfung an { $partner }.
send-intro-back = Ihr Video und die Fotos Ihres Ausweises gehen nur für diese Prüfung an { $partner }.
ready-to-send = Bereit zum Senden.
back = Zurück
submit = Senden
uploading = Wird hochgeladen…
# $sent and $total are sizes ("1,2 MB")
upload-progress = { $sent } von { $total } werden hochgeladen
uploaded = Hochgeladen. Ihr Video und Ihr Ausweis werden geprüft…
processing = Ihr Video und Ihr Ausweis werden geprüft… Das dauert einige Sekunden.
upload-not-started = Das Hochladen konnte nicht starten ({ $detail }).
upload-network = Das Hochladen ist nicht durchgekommen. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut; Ihr Video und Ihr Foto bleiben erhalten.
live-lost = Die Verbindung ist während der Aufnahme abgebrochen. Prüfen Sie Ihre Verbindung und nehmen Sie das Video erneut auf.
answer-unreadable = Die Antwort des Servers konnte nicht gelesen werden. Bitte versuchen Sie es erneut.
retake-video = Video neu aufnehmen
retake-id = Anderes Ausweisfoto wählen
retake-back = Anderes Foto der Rückseite wählen
link-return = Kehren Sie zu { $partner } zurück und starten Sie die Verifizierung erneut.
challenge-retry = Bei der Aufnahme wurden die Hinweise auf dem Bildschirm nicht befolgt.
challenge-follow = Folgen Sie jedem Hinweis, sobald er erscheint.
tries-left =
    { $count ->
        [one] Dies ist der letzte Versuch.
       *[other] Noch { $count } Versuche.
    }

## What the server said, in the user's words (the server's own messages are English)

error-files = Das Video oder ein Foto konnte nicht verwendet werden. Nehmen Sie das Video neu auf oder wählen Sie die Fotos erneut aus.
error-too-large = Eine Datei ist größer als das Limit. Wählen Sie eine kleinere.
error-file-type = Eine Datei ist kein Video und kein Foto, das dieser Dienst lesen kann.
error-link-invalid = Dieser Verifizierungslink ist ungültig.
error-link-used = Dieser Verifizierungslink wurde bereits verwendet.
error-link-expired = Dieser Verifizierungslink ist abgelaufen.
error-too-many = Zu viele Versuche. Warten Sie eine Minute und versuchen Sie es dann erneut.
error-busy = Der Dienst ist ausgelastet. Versuchen Sie es in einer Minute erneut.
error-server = Bei uns ist etwas schiefgelaufen. Bitte versuchen Sie es erneut.
error-other = Der Server hat mit einem Fehler geantwortet ({ $status }).
unavailable-title = Verifizierung nicht verfügbar
unavailable-back = Bitte kehren Sie zu der Website zurück, die Sie hierher geschickt hat, und versuchen Sie es erneut.

## The result (step 5)

done-verified = Fertig: Ihre Identität ist verifiziert.
done-review = Fertig: Ihre Verifizierung wird geprüft.
done-rejected = Fertig: Ihre Identität konnte nicht verifiziert werden.
verified-title = Sie sind verifiziert
verified-text = Vielen Dank. { $partner } weiß jetzt, dass Ihre Identität bestätigt ist.
review-title = Danke, wir prüfen das
review-text = Ihr Video und Ihr Ausweis müssen von einer Person genauer angesehen werden. { $partner } teilt Ihnen das Ergebnis mit.
rejected-title = Wir konnten Sie nicht verifizieren
rejected-text = Es konnte nicht bestätigt werden, dass Video und Ausweisfoto dieselbe Person zeigen. Bitten Sie { $partner } um einen neuen Verifizierungslink, um es erneut zu versuchen.
reference = Referenz:
files-deleted-on = Ihr Video und Ihre Fotos werden am { $date } gelöscht.
continue = Weiter zu { $partner }

## Advice after a rejection, for causes the user can fix

advice-id-photo-visible = Achten Sie darauf, dass das Foto auf Ihrem Ausweis vollständig sichtbar und nah genug ist.
advice-id-alone = Fotografieren Sie nur Ihren Ausweis, ohne andere Gesichter im Bild.
advice-id-light = Nehmen Sie das Ausweisfoto bei gleichmäßigem Licht ohne Spiegelungen auf und halten Sie still.
advice-face-oval = Halten Sie Ihr Gesicht während der ganzen Aufnahme im Oval.
advice-alone = Nehmen Sie das Video allein auf.
advice-turn = Folgen Sie den Hinweisen: Drehen Sie den Kopf nach links, dann nach rechts.
advice-full-video = Nehmen Sie das ganze Video auf, ohne die Seite zu verlassen.
advice-good-light = Nehmen Sie bei gutem Licht auf und halten Sie das Handy ruhig.
advice-challenge = Führen Sie jede Bewegung aus, sobald ihr Hinweis erscheint: Drehen Sie den Kopf oder schauen Sie wie verlangt, blinzeln Sie, wenn Sie dazu aufgefordert werden, und schauen Sie zwischen den Hinweisen in die Kamera.
advice-record-here = Nehmen Sie das Video auf dieser Seite mit der Kamera auf, statt eine Datei hochzuladen.
advice-document-photo = Fotografieren Sie die Seite mit den maschinenlesbaren Zeilen (die Fotoseite des Reisepasses, die Rückseite eines Personalausweises) oder mit dem Barcode (die Rückseite eines Führerscheins): flach, nah, scharf, ohne Spiegelungen.
advice-document-valid = Verwenden Sie ein Ausweisdokument, das noch gültig ist.
advice-document-type = Wählen Sie die Art des Dokuments, das Sie fotografieren.
