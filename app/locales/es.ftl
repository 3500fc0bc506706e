### The capture page (GET /verif/): what the end user reads and hears, in Spanish ("tú").
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

language = Idioma
logo-alt = Logotipo de { $partner }
progress = Progreso
step-consent = Consentimiento
step-selfie = Video selfie
step-id = Foto del documento
step-submit = Enviar
try-again = Reintentar
camera-preview = Vista previa de la cámara
camera-starting = Iniciando la cámara…

## Consent (step 1). The consent text is versioned: change the meaning only with the English.

consent-title = Verifica tu identidad
consent-intro = { $partner } te pide que confirmes que eres la persona de tu documento de identidad. Tarda aproximadamente un minuto.
consent-what-label = Qué capturamos:
consent-what = un video selfie de 6 segundos y una foto de tu documento de identidad oficial.
consent-why-label = Por qué:
consent-why = para comparar tu rostro con la foto de tu documento y comprobar que estás presente en persona.
consent-who-label = Quién lo recibe:
consent-who = { $partner }, que solicitó esta verificación. Nadie más.
consent-how-long-label = Por cuánto tiempo:
consent-how-long =
    { $count ->
        [one] los archivos se eliminan después de { $count } día; { $partner } conserva el resultado.
       *[other] los archivos se eliminan después de { $count } días; { $partner } conserva el resultado.
    }
consent-agree = Acepto que mi video selfie y la foto de mi documento de identidad se procesen para esta verificación.
consent-waiting = Lee y acepta para continuar, por favor.
consent-ready = Comienza cuando quieras.
start = Comenzar
help-link = ¿No puedes usar la cámara? Pide ayuda a { $partner }

## The selfie video (step 2)

selfie-title = Graba un video selfie corto
selfie-intro-challenge =
    { $count ->
        [one] Sostén el teléfono a la altura de los ojos, con buena luz. Durante la grabación, unas indicaciones breves te pedirán que gires la cabeza, mires hacia arriba o parpadees: haz cada una cuando aparezca y luego vuelve a mirar a la cámara. Tarda aproximadamente { $count } segundo.
       *[other] Sostén el teléfono a la altura de los ojos, con buena luz. Durante la grabación, unas indicaciones breves te pedirán que gires la cabeza, mires hacia arriba o parpadees: haz cada una cuando aparezca y luego vuelve a mirar a la cámara. Tarda aproximadamente { $count } segundos.
    }
selfie-light = Mientras grabas, la pantalla alrededor de la cámara cambia de color: esa luz en tu cara muestra que eres tú, ahora. Mantén la cara cerca de la pantalla.
camera-ready-selfie = Cámara lista. Coloca tu cara dentro del óvalo y luego pulsa «Grabar».
camera-ready-id = Cámara lista. Coloca tu documento dentro del marco y luego pulsa «Tomar foto».
record = Grabar
recording = Grabando…
countdown = La grabación empieza en { $n }…
recording-finishing = Finalizando la grabación…
recording-failed = La grabación falló ({ $detail }). Vuelve a grabar, por favor.
cannot-record = Este navegador no puede grabar video. En su lugar, sube un video corto de tu cara.
no-camera-help = ¿No puedes hacer los movimientos o no tienes cámara aquí? En su lugar, sube un video corto de tu cara: lo revisará una persona, lo que tarda más.
upload-video = Subir un video ya grabado
video-ready = Tu video está listo. Míralo y luego úsalo o vuelve a grabar.
selfie-check = Comprueba que tu cara se vea con claridad y que hayas girado la cabeza.
your-selfie = Tu video selfie
record-again = Volver a grabar
use-video = Usar este video
now-id = Ahora, una foto de tu documento de identidad.

## The prompts shown (and read aloud) while recording

prompt-look = Mira directamente a la cámara
prompt-left-slow = Gira la cabeza lentamente hacia la izquierda
prompt-right-slow = Ahora gira la cabeza lentamente hacia la derecha
prompt-turn-left = Gira la cabeza hacia tu izquierda
prompt-turn-right = Gira la cabeza hacia tu derecha
prompt-look-up = Mira hacia arriba
prompt-look-down = Mira hacia abajo
prompt-blink = Parpadea dos veces

## Camera problems: a headline and what to do

camera-denied = El acceso a la cámara está bloqueado.
camera-denied-help = Haz clic en el icono de la cámara (o en el de configuración del sitio) en la barra de direcciones, elige Permitir y luego pulsa «Reintentar».
camera-denied-help-firefox = Haz clic en el icono de la cámara en la barra de direcciones, quita el bloqueo y luego pulsa «Reintentar».
camera-denied-help-safari = En iPhone o iPad: Ajustes › Safari › Cámara › Permitir. En Mac: Safari › Ajustes › Sitios web › Cámara › Permitir. Luego pulsa «Reintentar».
camera-none = No se encontró ninguna cámara en este dispositivo.
camera-none-help = En su lugar, sube un video corto de tu cara o abre este enlace en un teléfono.
camera-busy = La cámara está ocupada.
camera-busy-help = Cierra otras apps o pestañas que usen la cámara y luego pulsa «Reintentar».
camera-unsupported = Este navegador no puede usar la cámara aquí.
camera-unsupported-help = En su lugar, sube un video corto de tu cara o usa una versión reciente de Chrome, Firefox o Safari.
camera-other = No se pudo iniciar la cámara ({ $detail }).
camera-other-help = Pulsa «Reintentar» o, en su lugar, sube un video.

## The ID (step 3)

id-title = Agrega una foto de tu documento de identidad
doc-question = ¿Qué documento vas a fotografiar?
doc-passport = Pasaporte
doc-id-card = Tarjeta de identidad
doc-licence = Licencia de conducir
# $document is one of the three names above
doc-chosen = Documento elegido: { $document }.
side-any-front = Pasaporte, tarjeta de identidad o licencia de conducir: fotografía el lado donde está tu foto.
side-passport = Abre tu pasaporte en la página con tu foto y las dos líneas de letras y signos < en la parte inferior, y fotografía esa página.
side-id-card-front = Primero, el frente de tu tarjeta de identidad, el lado con tu foto. Después fotografiarás el otro lado.
side-licence-front = Primero, el frente de tu licencia de conducir, el lado con tu foto. Después fotografiarás el reverso.
side-id-card-back = Ahora, el lado con las dos o tres líneas de letras y signos < en la parte inferior (la zona de lectura mecánica). En la mayoría de las tarjetas de identidad, es el reverso.
side-licence-back = Ahora, el reverso de tu licencia de conducir, con el código de barras grande.
side-any-back = Ahora, el reverso de tu documento.
back-title-id-card = Ahora, el reverso de tu tarjeta de identidad
back-title-licence = Ahora, el reverso de tu licencia de conducir
back-title-any = Ahora, el reverso de tu documento
tips = Para una foto legible
tip-corners = Todo el documento dentro del marco, con las cuatro esquinas visibles.
tip-flat = Plano sobre una mesa, con buena luz.
tip-glare = Sin reflejos y sin dedos sobre el texto ni el código de barras.
tip-sharp = Nítida: no te muevas mientras tomas la foto.
camera-photo = Tomar una foto con la cámara
take-photo = Tomar foto
upload-photo = Subir una foto
upload-photo-instead = Subir una foto en su lugar
photo-failed = La foto falló ({ $detail }). Inténtalo de nuevo.
photo-check = Comprueba que todas las letras sean nítidas y legibles, sin reflejos y sin nada que las tape.
id-check-front = Comprueba que todo el documento sea nítido y legible, sin reflejos.
id-check-back = Comprueba que todo el reverso sea nítido y legible, sin reflejos.
id-another-front = Elige otra foto de tu documento.
id-another-back = Elige otra foto del reverso.
choose-another = Elegir otra
use-photo = Usar esta foto
your-id-photo = La foto de tu documento
your-id-back = La foto del reverso de tu documento
too-big-video = Este video supera el límite de { $limit }. Elige uno más pequeño.
too-big-photo = Esta foto supera el límite de { $limit }. Elige una más pequeña.

## Sending (step 4)

send-title = Enviar para verificación
send-intro = Tu video y la foto de tu documento se envían a { $partner } solo para esta verificación.
send-intro-back = Tu video y las fotos de tu documento se envían a { $partner } solo para esta verificación.
ready-to-send = Todo listo para enviar.
back = Atrás
submit = Enviar
uploading = Subiendo…
# $sent and $total are sizes ("1,2 MB")
upload-progress = Subiendo { $sent } de { $total }
uploaded = Subido. Revisando tu video y tu documento…
processing = Revisando tu video y tu documento… esto tarda unos segundos.
upload-not-started = No se pudo iniciar la subida ({ $detail }).
upload-network = La subida no se completó. Revisa tu conexión e inténtalo de nuevo; tu video y tu foto se conservan.
live-lost = La conexión se cortó durante la grabación. Comprueba tu conexión y vuelve a grabar el vídeo.
answer-unreadable = No se pudo leer la respuesta del servidor. Inténtalo de nuevo, por favor.
retake-video = Volver a grabar el video
retake-id = Elegir otra foto del documento
retake-back = Elegir otra foto del reverso
link-return = Vuelve a { $partner } y empieza la verificación de nuevo.
challenge-retry = La grabación no siguió las indicaciones de la pantalla.
challenge-follow = Sigue cada indicación cuando aparezca.
tries-left =
    { $count ->
        [one] Este es el último intento.
       *[other] Te quedan { $count } intentos.
    }

## What the server said, in the user's words (the server's own messages are English)

error-files = No se pudo usar el video o una foto. Vuelve a grabar el video o elige las fotos de nuevo.
error-too-large = Un archivo supera el límite. Elige uno más pequeño.
error-file-type = Un archivo no es un video ni una foto que este servicio pueda leer.
error-link-invalid = Este enlace de verificación no es válido.
error-link-used = Este enlace de verificación ya se usó.
error-link-expired = Este enlace de verificación ha caducado.
error-too-many = Demasiados intentos. Espera un minuto y vuelve a intentarlo.
error-busy = El servicio está ocupado. Inténtalo de nuevo en un minuto.
error-server = Algo salió mal por nuestra parte. Inténtalo de nuevo, por favor.
error-other = El servidor respondió con un error ({ $status }).
unavailable-title = Verificación no disponible
unavailable-back = Vuelve al sitio que te envió aquí e inténtalo de nuevo, por favor.

## The result (step 5)

done-verified = Listo: tu identidad está verificada.
done-review = Listo: tu verificación está en revisión.
done-rejected = Listo: no se pudo verificar tu identidad.
verified-title = Identidad verificada
verified-text = Gracias. { $partner } ya sabe que tu identidad está confirmada.
review-title = Gracias, lo estamos revisando
review-text = Una persona tiene que revisar con más detalle tu video y tu documento. { $partner } te comunicará el resultado.
rejected-title = No pudimos verificar tu identidad
rejected-text = No se pudo confirmar que el video y la foto del documento sean de la misma persona. Pide a { $partner } un nuevo enlace de verificación para volver a intentarlo.
reference = Referencia:
files-deleted-on = Tu video y tus fotos se eliminan el { $date }.
continue = Continuar a { $partner }

## Advice after a rejection, for causes the user can fix

advice-id-photo-visible = Asegúrate de que la foto de tu documento se vea completa y lo bastante cerca.
advice-id-alone = Fotografía solo tu documento, sin otras caras en la imagen.
advice-id-light = Toma la foto del documento con luz uniforme, sin reflejos, y no te muevas.
advice-face-oval = Mantén la cara dentro del óvalo durante toda la grabación.
advice-alone = Graba el video a solas.
advice-turn = Sigue las indicaciones: gira la cabeza a la izquierda y luego a la derecha.
advice-full-video = Graba el video completo sin salir de la página.
advice-good-light = Graba con buena luz y sostén el teléfono sin moverlo.
advice-challenge = Haz cada movimiento cuando aparezca su indicación: gira la cabeza o mira hacia donde se te pida, parpadea cuando se te pida y mira a la cámara entre indicaciones.
advice-record-here = Graba el video en esta página con la cámara en lugar de subir un archivo.
advice-document-photo = Fotografía el lado con las líneas de lectura mecánica (la página con foto del pasaporte, el reverso de una tarjeta de identidad) o el código de barras (el reverso de una licencia): plano, de cerca, nítido y sin reflejos.
advice-document-valid = Usa un documento de identidad que siga vigente.
advice-document-type = Elige el tipo de documento que fotografías.
