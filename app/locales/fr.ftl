### The capture page (GET /verif/): what the end user reads and hears, in French ("vous").
### Translated from en.ftl, the reference: this file has exactly the same message ids, and a
### message missing here falls back to the English one.
###
### Variables (the page fills them in; keep them, move them where the language wants them):
###   $partner  the partner's display name ("Acme Bank")
###   $count    a number that chooses the plural form: use a select expression
###             { $count -> [one] … *[other] … } with the language's CLDR plural categories
###   $n        a countdown number (3, 2, 1)
###   $detail   a short technical reason, in English (from the browser)
###   $limit, $sent, $total   file sizes already formatted for the language ("50 Mo", "2,4 Mo")
###   $document a document name from doc-passport / doc-id-card / doc-licence
###   $date     a date already formatted for the language
###   $status   an HTTP status number
### Write for a person on a phone: short, plain, polite, second person.

## The language switcher and the page frame

language = Langue
logo-alt = Logo de { $partner }
progress = Progression
step-consent = Consentement
step-selfie = Vidéo selfie
step-id = Pièce d'identité
step-submit = Envoi
try-again = Réessayer
camera-preview = Aperçu de la caméra
camera-starting = Démarrage de la caméra…

## Consent (step 1). The consent text is versioned: change the meaning only with the English.

consent-title = Vérifiez votre identité
consent-intro = { $partner } vous demande de confirmer que vous êtes bien la personne figurant sur votre pièce d'identité. Cela prend environ une minute.
consent-what-label = Ce que nous enregistrons :
consent-what = une vidéo selfie de 6 secondes et une photo de votre pièce d'identité officielle.
consent-why-label = Pourquoi :
consent-why = pour comparer votre visage avec la photo de votre pièce d'identité, et pour vérifier que vous êtes bien là en personne.
consent-who-label = Qui les reçoit :
consent-who = { $partner }, qui a demandé cette vérification. Personne d'autre.
consent-how-long-label = Combien de temps :
consent-how-long =
    { $count ->
        [one] les fichiers sont supprimés après { $count } jour ; le résultat est conservé par { $partner }.
       *[other] les fichiers sont supprimés après { $count } jours ; le résultat est conservé par { $partner }.
    }
consent-agree = J'accepte que ma vidéo selfie et la photo de ma pièce d'identité soient traitées pour cette vérification.
consent-waiting = Veuillez lire et accepter pour continuer.
consent-ready = Commencez quand vous voulez.
start = Commencer
help-link = Vous ne pouvez pas utiliser la caméra ? Obtenez de l'aide auprès de { $partner }

## The selfie video (step 2)

selfie-title = Enregistrez une courte vidéo selfie
selfie-intro-challenge =
    { $count ->
        [one] Tenez votre téléphone à hauteur des yeux, dans un endroit bien éclairé. Pendant l'enregistrement, de courtes consignes vous demandent de tourner la tête, de regarder vers le haut ou de cligner des yeux : suivez chacune dès qu'elle apparaît, puis regardez de nouveau la caméra. Cela prend environ { $count } seconde.
       *[other] Tenez votre téléphone à hauteur des yeux, dans un endroit bien éclairé. Pendant l'enregistrement, de courtes consignes vous demandent de tourner la tête, de regarder vers le haut ou de cligner des yeux : suivez chacune dès qu'elle apparaît, puis regardez de nouveau la caméra. Cela prend environ { $count } secondes.
    }
selfie-light = Pendant l'enregistrement, l'écran autour de la caméra change de couleur : cette lumière sur votre visage montre que c'est bien vous, maintenant. Gardez votre visage près de l'écran.
camera-ready-selfie = Caméra prête. Placez votre visage dans l'ovale, puis appuyez sur « Enregistrer ».
camera-ready-id = Caméra prête. Placez votre pièce d'identité dans le cadre, puis appuyez sur « Prendre la photo ».
record = Enregistrer
recording = Enregistrement…
countdown = L'enregistrement commence dans { $n }…
recording-finishing = Finalisation de l'enregistrement…
recording-failed = L'enregistrement a échoué ({ $detail }). Veuillez recommencer l'enregistrement.
cannot-record = Ce navigateur ne peut pas enregistrer de vidéo. Importez plutôt une courte vidéo de votre visage.
no-camera-help = Vous ne pouvez pas faire les mouvements, ou vous n'avez pas de caméra ici ? Importez plutôt une courte vidéo de votre visage : une personne la vérifiera, ce qui prend plus de temps.
upload-video = Importer plutôt une vidéo déjà enregistrée
video-ready = Votre vidéo est prête. Regardez-la, puis utilisez-la ou recommencez l'enregistrement.
selfie-check = Vérifiez que votre visage est bien visible et que vous avez bien tourné la tête.
your-selfie = Votre vidéo selfie
record-again = Recommencer l'enregistrement
use-video = Utiliser cette vidéo
now-id = Maintenant, une photo de votre pièce d'identité.

## The prompts shown (and read aloud) while recording

prompt-look = Regardez droit vers la caméra
prompt-left-slow = Tournez lentement la tête vers la gauche
prompt-right-slow = Maintenant, tournez lentement la tête vers la droite
prompt-turn-left = Tournez la tête vers votre gauche
prompt-turn-right = Tournez la tête vers votre droite
prompt-look-up = Regardez vers le haut
prompt-look-down = Regardez vers le bas
prompt-blink = Clignez des yeux deux fois

## Camera problems: a headline and what to do

camera-denied = L'accès à la caméra est bloqué.
camera-denied-help = Cliquez sur l'icône de la caméra (ou sur l'icône des paramètres du site) dans la barre d'adresse, choisissez Autoriser, puis appuyez sur « Réessayer ».
camera-denied-help-firefox = Cliquez sur l'icône de la caméra dans la barre d'adresse, retirez le blocage, puis appuyez sur « Réessayer ».
camera-denied-help-safari = Sur iPhone ou iPad : Réglages › Safari › Appareil photo › Autoriser. Sur Mac : Safari › Réglages › Sites web › Caméra › Autoriser. Appuyez ensuite sur « Réessayer ».
camera-none = Aucune caméra n'a été trouvée sur cet appareil.
camera-none-help = Importez plutôt une courte vidéo de votre visage, ou ouvrez ce lien sur un téléphone.
camera-busy = La caméra est déjà utilisée.
camera-busy-help = Fermez les autres applis ou onglets qui utilisent la caméra, puis appuyez sur « Réessayer ».
camera-unsupported = Ce navigateur ne peut pas utiliser la caméra ici.
camera-unsupported-help = Importez plutôt une courte vidéo de votre visage, ou utilisez une version récente de Chrome, Firefox ou Safari.
camera-other = La caméra n'a pas pu démarrer ({ $detail }).
camera-other-help = Appuyez sur « Réessayer », ou importez plutôt une vidéo.

## The ID (step 3)

id-title = Ajoutez une photo de votre pièce d'identité
doc-question = Quel document allez-vous photographier ?
doc-passport = Passeport
doc-id-card = Carte d'identité
doc-licence = Permis de conduire
# $document is one of the three names above
doc-chosen = Document choisi : { $document }.
side-any-front = Passeport, carte d'identité ou permis de conduire : photographiez le côté avec votre photo.
side-passport = Ouvrez votre passeport à la page avec votre photo et les deux lignes de lettres et de signes < en bas, et photographiez cette page.
side-id-card-front = D'abord le recto de votre carte d'identité, le côté avec votre photo. Vous photographierez l'autre côté ensuite.
side-licence-front = D'abord le recto de votre permis de conduire, le côté avec votre photo. Vous photographierez le verso ensuite.
side-id-card-back = Maintenant, le côté avec les deux ou trois lignes de lettres et de signes < en bas (la zone de lecture automatique). Sur la plupart des cartes d'identité, c'est le verso.
side-licence-back = Maintenant, le verso de votre permis de conduire, avec le grand code-barres.
side-any-back = Maintenant, le verso de votre pièce d'identité.
back-title-id-card = Maintenant, le verso de votre carte d'identité
back-title-licence = Maintenant, le verso de votre permis de conduire
back-title-any = Maintenant, le verso de votre pièce d'identité
tips = Pour une photo lisible
tip-corners = Le document entier dans le cadre, avec les quatre coins visibles.
tip-flat = À plat sur une table, bien éclairé.
tip-glare = Sans reflet, et sans doigts sur le texte ou le code-barres.
tip-sharp = Nette : ne bougez pas pendant la prise de vue.
camera-photo = Prendre une photo avec la caméra
take-photo = Prendre la photo
upload-photo = Importer une photo
upload-photo-instead = Importer plutôt une photo
photo-failed = La photo a échoué ({ $detail }). Réessayez.
photo-check = Vérifiez que chaque lettre est nette et lisible, sans reflet et sans rien qui la cache.
id-check-front = Vérifiez que toute la pièce d'identité est nette et lisible, sans reflet.
id-check-back = Vérifiez que tout le verso est net et lisible, sans reflet.
id-another-front = Choisissez une autre photo de votre pièce d'identité.
id-another-back = Choisissez une autre photo du verso.
choose-another = En choisir une autre
use-photo = Utiliser cette photo
your-id-photo = La photo de votre pièce d'identité
your-id-back = La photo du verso de votre pièce d'identité
too-big-video = Cette vidéo dépasse la limite de { $limit }. Choisissez-en une plus petite.
too-big-photo = Cette photo dépasse la limite de { $limit }. Choisissez-en une plus petite.

## Sending (step 4)

send-title = Envoyer pour vérification
send-intro = Votre vidéo et la photo de votre pièce d'identité sont transmises à { $partner } uniquement pour cette vérification.
send-intro-back = Votre vidéo et les photos de votre pièce d'identité sont transmises à { $partner } uniquement pour cette vérification.
ready-to-send = Tout est prêt pour l'envoi.
back = Retour
submit = Envoyer
uploading = Envoi en cours…
# $sent and $total are sizes ("1,2 Mo")
upload-progress = Envoi : { $sent } sur { $total }
uploaded = Envoyé. Vérification de votre vidéo et de votre pièce d'identité…
processing = Vérification de votre vidéo et de votre pièce d'identité… Cela prend quelques secondes.
upload-not-started = L'envoi n'a pas pu démarrer ({ $detail }).
upload-network = L'envoi n'a pas abouti. Vérifiez votre connexion et réessayez ; votre vidéo et votre photo sont conservées.
live-lost = La connexion a été interrompue pendant l'enregistrement. Vérifiez votre connexion, puis enregistrez à nouveau la vidéo.
answer-unreadable = La réponse du serveur n'a pas pu être lue. Veuillez réessayer.
retake-video = Enregistrer de nouveau la vidéo
retake-id = Choisir une autre photo de la pièce d'identité
retake-back = Choisir une autre photo du verso
link-return = Retournez sur { $partner } et recommencez la vérification.
challenge-retry = Les consignes affichées à l'écran n'ont pas été suivies pendant l'enregistrement.
challenge-follow = Suivez chaque consigne dès qu'elle apparaît.
tries-left =
    { $count ->
        [one] C'est le dernier essai.
       *[other] Il reste { $count } essais.
    }

## What the server said, in the user's words (the server's own messages are English)

error-files = La vidéo ou une photo n'a pas pu être utilisée. Enregistrez de nouveau la vidéo ou choisissez de nouveau les photos.
error-too-large = Un fichier dépasse la limite. Choisissez-en un plus petit.
error-file-type = Un fichier n'est pas une vidéo ou une photo que ce service peut lire.
error-link-invalid = Ce lien de vérification n'est pas valide.
error-link-used = Ce lien de vérification a déjà été utilisé.
error-link-expired = Ce lien de vérification a expiré.
error-too-many = Trop de tentatives. Attendez une minute, puis réessayez.
error-busy = Le service est surchargé. Réessayez dans une minute.
error-server = Un problème est survenu de notre côté. Veuillez réessayer.
error-other = Le serveur a répondu par une erreur ({ $status }).
unavailable-title = Vérification indisponible
unavailable-back = Veuillez retourner sur le site qui vous a envoyé ici et réessayer.

## The result (step 5)

done-verified = Terminé : votre identité est vérifiée.
done-review = Terminé : votre vérification est en cours d'examen.
done-rejected = Terminé : votre identité n'a pas pu être vérifiée.
verified-title = Identité vérifiée
verified-text = Merci. { $partner } sait maintenant que votre identité est confirmée.
review-title = Merci, nous vérifions
review-text = Votre vidéo et votre pièce d'identité doivent être examinées de plus près par une personne. { $partner } vous communiquera le résultat.
rejected-title = Nous n'avons pas pu vérifier votre identité
rejected-text = Nous n'avons pas pu confirmer que la vidéo et la photo de la pièce d'identité montrent la même personne. Demandez à { $partner } un nouveau lien de vérification pour réessayer.
reference = Référence :
files-deleted-on = Votre vidéo et vos photos sont supprimées le { $date }.
continue = Continuer vers { $partner }

## Advice after a rejection, for causes the user can fix

advice-id-photo-visible = Assurez-vous que la photo de votre pièce d'identité est entièrement visible et prise d'assez près.
advice-id-alone = Photographiez votre pièce d'identité seule, sans aucun autre visage dans l'image.
advice-id-light = Prenez la photo de la pièce d'identité sous un éclairage uniforme, sans reflet, et ne bougez pas.
advice-face-oval = Gardez votre visage dans l'ovale pendant tout l'enregistrement.
advice-alone = Enregistrez la vidéo sans personne d'autre.
advice-turn = Suivez les consignes : tournez la tête vers la gauche, puis vers la droite.
advice-full-video = Enregistrez la vidéo en entier sans quitter la page.
advice-good-light = Enregistrez dans un endroit bien éclairé et tenez le téléphone immobile.
advice-challenge = Faites chaque mouvement dès que sa consigne apparaît : tournez la tête ou regardez comme demandé, clignez des yeux quand on vous le demande, et regardez la caméra entre les consignes.
advice-record-here = Enregistrez la vidéo sur cette page avec la caméra au lieu d'importer un fichier.
advice-document-photo = Photographiez le côté avec les lignes de lecture automatique (la page avec photo du passeport, le verso d'une carte d'identité) ou le code-barres (le verso d'un permis) : à plat, de près, net et sans reflet.
advice-document-valid = Utilisez une pièce d'identité encore valide.
advice-document-type = Choisissez le type du document que vous photographiez.
