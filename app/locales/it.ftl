### The capture page (GET /verif/): what the end user reads and hears, in Italian (it, informal "tu").
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

language = Lingua
logo-alt = Logo di { $partner }
progress = Avanzamento
step-consent = Consenso
step-selfie = Video selfie
step-id = Foto del documento
step-submit = Invio
try-again = Riprova
camera-preview = Anteprima della fotocamera
camera-starting = Avvio della fotocamera…

## Consent (step 1). The consent text is versioned: change the meaning only with the English.

consent-title = Verifica la tua identità
consent-intro = { $partner } ti chiede di confermare che sei la persona del tuo documento d'identità. Ci vuole circa un minuto.
consent-what-label = Cosa acquisiamo:
consent-what = un video selfie di 6 secondi e una foto del tuo documento d'identità ufficiale.
consent-why-label = Perché:
consent-why = per confrontare il tuo volto con la foto del documento e verificare che tu sia presente di persona.
consent-who-label = Chi li riceve:
consent-who = { $partner }, che ha richiesto questa verifica. Nessun altro.
consent-how-long-label = Per quanto tempo:
consent-how-long =
    { $count ->
        [one] i file vengono eliminati dopo { $count } giorno; il risultato viene conservato da { $partner }.
       *[other] i file vengono eliminati dopo { $count } giorni; il risultato viene conservato da { $partner }.
    }
consent-agree = Acconsento al trattamento del mio video selfie e della foto del mio documento per questa verifica.
consent-waiting = Leggi e accetta per continuare.
consent-ready = Inizia quando vuoi.
start = Inizia
help-link = Non puoi usare la fotocamera? Chiedi aiuto a { $partner }

## The selfie video (step 2)

selfie-title = Registra un breve video selfie
selfie-intro-challenge =
    { $count ->
        [one] Tieni il telefono all'altezza degli occhi, con una buona luce. Durante la registrazione, brevi istruzioni ti chiederanno di girare la testa, guardare in alto o sbattere le palpebre: esegui ciascuna quando compare, poi torna a guardare la fotocamera. Ci vuole circa { $count } secondo.
       *[other] Tieni il telefono all'altezza degli occhi, con una buona luce. Durante la registrazione, brevi istruzioni ti chiederanno di girare la testa, guardare in alto o sbattere le palpebre: esegui ciascuna quando compare, poi torna a guardare la fotocamera. Ci vogliono circa { $count } secondi.
    }
selfie-light = Durante la registrazione lo schermo intorno alla fotocamera cambia colore: quella luce sul tuo viso mostra che sei davvero tu, adesso. Tieni il viso vicino allo schermo.
camera-ready-selfie = Fotocamera pronta. Metti il viso dentro l'ovale, poi premi Registra.
camera-ready-id = Fotocamera pronta. Inquadra il documento dentro la cornice, poi premi Scatta foto.
record = Registra
recording = Registrazione in corso…
countdown = La registrazione inizia tra { $n }…
recording-finishing = Completamento della registrazione…
recording-failed = La registrazione non è riuscita ({ $detail }). Registra di nuovo.
cannot-record = Questo browser non può registrare video. Carica invece un breve video del tuo viso.
no-camera-help = Non riesci a fare i movimenti o qui non hai una fotocamera? Carica invece un breve video del tuo viso: lo esaminerà una persona, e ci vorrà più tempo.
upload-video = Carica invece un video registrato
video-ready = Il tuo video è pronto. Guardalo, poi usalo o registralo di nuovo.
selfie-check = Controlla che il tuo viso sia ben visibile e che tu abbia girato la testa.
your-selfie = Il tuo video selfie
record-again = Registra di nuovo
use-video = Usa questo video
now-id = Ora una foto del tuo documento.

## The prompts shown (and read aloud) while recording

prompt-look = Guarda dritto nella fotocamera
prompt-left-slow = Gira lentamente la testa verso sinistra
prompt-right-slow = Ora gira lentamente la testa verso destra
prompt-turn-left = Gira la testa alla tua sinistra
prompt-turn-right = Gira la testa alla tua destra
prompt-look-up = Guarda in alto
prompt-look-down = Guarda in basso
prompt-blink = Sbatti le palpebre due volte

## Camera problems: a headline and what to do

camera-denied = L'accesso alla fotocamera è bloccato.
camera-denied-help = Fai clic sull'icona della fotocamera (o sull'icona delle impostazioni del sito) nella barra degli indirizzi, scegli Consenti, poi premi Riprova.
camera-denied-help-firefox = Fai clic sull'icona della fotocamera nella barra degli indirizzi, rimuovi il blocco, poi premi Riprova.
camera-denied-help-safari = Su iPhone o iPad: Impostazioni › Safari › Fotocamera › Consenti. Su Mac: Safari › Impostazioni › Siti web › Fotocamera › Consenti. Poi premi Riprova.
camera-none = Non è stata trovata nessuna fotocamera su questo dispositivo.
camera-none-help = Carica invece un breve video del tuo viso, oppure apri questo link su un telefono.
camera-busy = La fotocamera è occupata.
camera-busy-help = Chiudi le altre app o schede che usano la fotocamera, poi premi Riprova.
camera-unsupported = Questo browser non può usare la fotocamera qui.
camera-unsupported-help = Carica invece un breve video del tuo viso, oppure usa una versione recente di Chrome, Firefox o Safari.
camera-other = Non è stato possibile avviare la fotocamera ({ $detail }).
camera-other-help = Premi Riprova, oppure carica invece un video.

## The ID (step 3)

id-title = Aggiungi una foto del tuo documento
doc-question = Quale documento fotograferai?
doc-passport = Passaporto
doc-id-card = Carta d'identità
doc-licence = Patente di guida
# $document is one of the three names above
doc-chosen = Documento scelto: { $document }.
side-any-front = Passaporto, carta d'identità o patente di guida: fotografa il lato con la tua foto.
side-passport = Apri il passaporto alla pagina con la tua foto e le due righe di lettere e segni < in basso, e fotografa quella pagina.
side-id-card-front = Prima il fronte della carta d'identità, il lato con la tua foto. Poi fotograferai l'altro lato.
side-licence-front = Prima il fronte della patente di guida, il lato con la tua foto. Poi fotograferai il retro.
side-id-card-back = Ora il lato con le due o tre righe di lettere e segni < in basso (la zona a lettura ottica). Sulla maggior parte delle carte d'identità è il retro.
side-licence-back = Ora il retro della patente di guida, con il codice a barre grande.
side-any-back = Ora il retro del tuo documento.
back-title-id-card = Ora il retro della carta d'identità
back-title-licence = Ora il retro della patente di guida
back-title-any = Ora il retro del tuo documento
tips = Per una foto leggibile
tip-corners = Tutto il documento dentro la cornice, con i quattro angoli visibili.
tip-flat = Appoggiato su un tavolo, con una buona luce.
tip-glare = Senza riflessi e senza dita sul testo o sul codice a barre.
tip-sharp = Nitida: non muoverti mentre scatti la foto.
camera-photo = Scatta una foto con la fotocamera
take-photo = Scatta foto
upload-photo = Carica una foto
upload-photo-instead = Carica invece una foto
photo-failed = La foto non è riuscita ({ $detail }). Riprova.
photo-check = Controlla che ogni lettera sia nitida e leggibile, senza riflessi e senza nulla di coperto.
id-check-front = Controlla che tutto il documento sia nitido e leggibile, senza riflessi.
id-check-back = Controlla che tutto il retro sia nitido e leggibile, senza riflessi.
id-another-front = Scegli un'altra foto del tuo documento.
id-another-back = Scegli un'altra foto del retro.
choose-another = Scegline un'altra
use-photo = Usa questa foto
your-id-photo = La foto del tuo documento
your-id-back = La tua foto del retro del documento
too-big-video = Questo video supera il limite di { $limit }. Scegline uno più piccolo.
too-big-photo = Questa foto supera il limite di { $limit }. Scegline una più piccola.

## Sending (step 4)

send-title = Invia per la verifica
send-intro = Il tuo video e la foto del documento vengono inviati a { $partner } solo per questa verifica.
send-intro-back = Il tuo video e le foto del documento vengono inviati a { $partner } solo per questa verifica.
ready-to-send = Tutto pronto per l'invio.
back = Indietro
submit = Invia
uploading = Caricamento in corso…
# $sent and $total are sizes ("1.2 MB")
upload-progress = Caricamento: { $sent } di { $total }
uploaded = Caricamento completato. Stiamo controllando il video e il documento…
processing = Stiamo controllando il video e il documento… ci vuole qualche secondo.
upload-not-started = Non è stato possibile avviare il caricamento ({ $detail }).
upload-network = Il caricamento non è andato a buon fine. Controlla la connessione e riprova; il tuo video e la tua foto restano salvati.
live-lost = La connessione si è interrotta durante la registrazione. Controlla la connessione, poi registra di nuovo il video.
answer-unreadable = Non è stato possibile leggere la risposta del server. Riprova.
retake-video = Registra di nuovo il video
retake-id = Scegli un'altra foto del documento
retake-back = Scegli un'altra foto del retro
link-return = Torna su { $partner } e ricomincia la verifica.
challenge-retry = La registrazione non ha seguito le istruzioni sullo schermo.
challenge-follow = Segui ogni istruzione appena compare.
tries-left =
    { $count ->
        [one] Questo è l'ultimo tentativo.
       *[other] Ti restano { $count } tentativi.
    }

## What the server said, in the user's words (the server's own messages are English)

error-files = Non è stato possibile usare il video o una foto. Registra di nuovo il video o scegli di nuovo le foto.
error-too-large = Un file supera il limite. Scegline uno più piccolo.
error-file-type = Un file non è un video o una foto che questo servizio può leggere.
error-link-invalid = Questo link di verifica non è valido.
error-link-used = Questo link di verifica è già stato usato.
error-link-expired = Questo link di verifica è scaduto.
error-too-many = Troppi tentativi. Aspetta un minuto, poi riprova.
error-busy = Il servizio è sovraccarico. Riprova tra un minuto.
error-server = Qualcosa è andato storto da parte nostra. Riprova.
error-other = Il server ha risposto con un errore ({ $status }).
unavailable-title = Verifica non disponibile
unavailable-back = Torna al sito che ti ha mandato qui e riprova.

## The result (step 5)

done-verified = Fatto: la tua identità è verificata.
done-review = Fatto: la tua verifica è in fase di controllo.
done-rejected = Fatto: non è stato possibile verificare la tua identità.
verified-title = Identità verificata
verified-text = Grazie. Ora { $partner } sa che la tua identità è confermata.
review-title = Grazie, stiamo controllando
review-text = Il tuo video e il tuo documento devono essere esaminati più attentamente da una persona. { $partner } ti comunicherà il risultato.
rejected-title = Non siamo riusciti a verificare la tua identità
rejected-text = Non è stato possibile confermare che il video e la foto del documento siano della stessa persona. Chiedi a { $partner } un nuovo link di verifica per riprovare.
reference = Riferimento:
files-deleted-on = Il tuo video e le tue foto verranno eliminati il { $date }.
continue = Continua su { $partner }

## Advice after a rejection, for causes the user can fix

advice-id-photo-visible = Assicurati che la foto sul documento sia completamente visibile e abbastanza vicina.
advice-id-alone = Fotografa solo il documento, senza altri volti nell'immagine.
advice-id-light = Scatta la foto del documento con una luce uniforme, senza riflessi, e non muoverti.
advice-face-oval = Tieni il viso dentro l'ovale per tutta la registrazione.
advice-alone = Registra il video senza altre persone nell'inquadratura.
advice-turn = Segui le istruzioni: gira la testa a sinistra, poi a destra.
advice-full-video = Registra il video completo senza lasciare la pagina.
advice-good-light = Registra con una buona luce e tieni fermo il telefono.
advice-challenge = Esegui ogni movimento quando compare la relativa istruzione: girati o guarda come richiesto, sbatti le palpebre quando richiesto e guarda la fotocamera tra un'istruzione e l'altra.
advice-record-here = Registra il video in questa pagina con la fotocamera, invece di caricare un file.
advice-document-photo = Fotografa il lato con le righe a lettura ottica (la pagina con la foto del passaporto, il retro della carta d'identità) o il codice a barre (il retro della patente): appoggiato, da vicino, nitido e senza riflessi.
advice-document-valid = Usa un documento d'identità ancora valido.
advice-document-type = Scegli il tipo di documento che stai fotografando.
