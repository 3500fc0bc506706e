### Strona nagrywania (GET /verif/): to, co użytkownik czyta i słyszy, po polsku.
### Wzorcem jest plik en.ftl: każdy plik locales/*.ftl ma dokładnie te same identyfikatory komunikatów,
### a brakujący komunikat zastępuje wersja angielska.
###
### Zmienne (wypełnia je strona; zachowaj je i umieść tam, gdzie wymaga tego język):
###   $partner  nazwa wyświetlana partnera („Acme Bank”)
###   $count    liczba wybierająca formę mnogą: wyrażenie select
###             { $count -> [one] … [few] … [many] … *[other] … } (kategorie CLDR dla polskiego)
###   $n        liczba odliczania (3, 2, 1)
###   $detail   krótka przyczyna techniczna, po angielsku (z przeglądarki)
###   $limit, $sent, $total   rozmiary plików już sformatowane dla języka („50 MB”, „2,4 MB”)
###   $document nazwa dokumentu z doc-passport / doc-id-card / doc-licence
###   $date     data już sformatowana dla języka
###   $status   numer statusu HTTP
### Pisz dla osoby z telefonem: krótko, prosto, uprzejmie, w drugiej osobie.

## The language switcher and the page frame

language = Język
logo-alt = Logo { $partner }
progress = Postęp
step-consent = Zgoda
step-selfie = Film selfie
step-id = Zdjęcie dokumentu
step-submit = Wysyłka
try-again = Spróbuj ponownie
camera-preview = Podgląd z kamery
camera-starting = Uruchamianie kamery…

## Consent (step 1). The consent text is versioned: change the meaning only with the English.

consent-title = Potwierdź swoją tożsamość
consent-intro = { $partner } prosi o potwierdzenie, że to Ty jesteś osobą z Twojego dokumentu tożsamości. Zajmie to około minuty.
consent-what-label = Co zbieramy:
consent-what = 6-sekundowy film selfie i zdjęcie Twojego urzędowego dokumentu tożsamości.
consent-why-label = W jakim celu:
consent-why = aby porównać Twoją twarz ze zdjęciem w dokumencie i sprawdzić, czy bierzesz w tym udział osobiście.
consent-who-label = Kto je otrzymuje:
consent-who = { $partner } – podmiot, który zlecił tę weryfikację. Nikt inny.
consent-how-long-label = Jak długo:
consent-how-long =
    { $count ->
        [one] pliki są usuwane po { $count } dniu; wynik przechowuje { $partner }.
        [few] pliki są usuwane po { $count } dniach; wynik przechowuje { $partner }.
        [many] pliki są usuwane po { $count } dniach; wynik przechowuje { $partner }.
       *[other] pliki są usuwane po { $count } dnia; wynik przechowuje { $partner }.
    }
consent-agree = Zgadzam się na przetwarzanie mojego filmu selfie i zdjęcia mojego dokumentu tożsamości na potrzeby tej weryfikacji.
consent-waiting = Przeczytaj i zaakceptuj, aby kontynuować.
consent-ready = Zaczynamy, kiedy zechcesz.
start = Rozpocznij
help-link = Nie możesz użyć kamery? Poproś { $partner } o pomoc

## The selfie video (step 2)

selfie-title = Nagraj krótki film selfie
selfie-intro-challenge =
    { $count ->
        [one] Trzymaj telefon na wysokości oczu, w dobrym świetle. Podczas nagrywania krótkie polecenia poproszą Cię o obrócenie głowy, spojrzenie w górę lub mrugnięcie: wykonaj każde z nich, gdy się pojawi, a potem znów spójrz w kamerę. Trwa to około { $count } sekundy.
        [few] Trzymaj telefon na wysokości oczu, w dobrym świetle. Podczas nagrywania krótkie polecenia poproszą Cię o obrócenie głowy, spojrzenie w górę lub mrugnięcie: wykonaj każde z nich, gdy się pojawi, a potem znów spójrz w kamerę. Trwa to około { $count } sekund.
        [many] Trzymaj telefon na wysokości oczu, w dobrym świetle. Podczas nagrywania krótkie polecenia poproszą Cię o obrócenie głowy, spojrzenie w górę lub mrugnięcie: wykonaj każde z nich, gdy się pojawi, a potem znów spójrz w kamerę. Trwa to około { $count } sekund.
       *[other] Trzymaj telefon na wysokości oczu, w dobrym świetle. Podczas nagrywania krótkie polecenia poproszą Cię o obrócenie głowy, spojrzenie w górę lub mrugnięcie: wykonaj każde z nich, gdy się pojawi, a potem znów spójrz w kamerę. Trwa to około { $count } sekundy.
    }
selfie-light = Podczas nagrywania ekran wokół kamery zmienia kolor: to światło na Twojej twarzy pokazuje, że to naprawdę Ty, teraz. Trzymaj twarz blisko ekranu.
camera-ready-selfie = Kamera gotowa. Umieść twarz w owalu, a potem naciśnij „Nagraj”.
camera-ready-id = Kamera gotowa. Umieść dokument w ramce, a potem naciśnij „Zrób zdjęcie”.
record = Nagraj
recording = Nagrywanie…
countdown = Nagrywanie rozpocznie się za { $n }…
recording-finishing = Kończenie nagrywania…
recording-failed = Nagrywanie nie powiodło się ({ $detail }). Nagraj film ponownie.
cannot-record = Ta przeglądarka nie może nagrywać wideo. Zamiast tego prześlij krótki film ze swoją twarzą.
no-camera-help = Nie możesz wykonać tych ruchów albo nie masz tu kamery? Zamiast tego prześlij krótki film ze swoją twarzą: sprawdzi go człowiek, co potrwa dłużej.
upload-video = Zamiast tego prześlij nagrany film
video-ready = Film jest gotowy. Obejrzyj go, a potem go użyj lub nagraj ponownie.
selfie-check = Sprawdź, czy twarz jest wyraźnie widoczna i czy widać obrót głowy.
your-selfie = Twój film selfie
record-again = Nagraj ponownie
use-video = Użyj tego filmu
now-id = Teraz zdjęcie dokumentu tożsamości.

## The prompts shown (and read aloud) while recording

prompt-look = Patrz prosto w kamerę
prompt-left-slow = Powoli obróć głowę w lewo
prompt-right-slow = Teraz powoli obróć głowę w prawo
prompt-turn-left = Obróć głowę w swoją lewą stronę
prompt-turn-right = Obróć głowę w swoją prawą stronę
prompt-look-up = Spójrz w górę
prompt-look-down = Spójrz w dół
prompt-blink = Mrugnij dwa razy

## Camera problems: a headline and what to do

camera-denied = Dostęp do kamery jest zablokowany.
camera-denied-help = Kliknij ikonę kamery (lub ikonę ustawień witryny) na pasku adresu, wybierz „Zezwalaj”, a potem naciśnij „Spróbuj ponownie”.
camera-denied-help-firefox = Kliknij ikonę kamery na pasku adresu, usuń blokadę, a potem naciśnij „Spróbuj ponownie”.
camera-denied-help-safari = Na iPhonie lub iPadzie: Ustawienia › Safari › Kamera › Pozwalaj. Na Macu: Safari › Ustawienia › Witryny › Kamera › Pozwalaj. Następnie naciśnij „Spróbuj ponownie”.
camera-none = Na tym urządzeniu nie znaleziono kamery.
camera-none-help = Zamiast tego prześlij krótki film ze swoją twarzą lub otwórz ten link na telefonie.
camera-busy = Kamera jest zajęta.
camera-busy-help = Zamknij inne aplikacje lub karty, które używają kamery, a potem naciśnij „Spróbuj ponownie”.
camera-unsupported = Ta przeglądarka nie może tutaj korzystać z kamery.
camera-unsupported-help = Zamiast tego prześlij krótki film ze swoją twarzą lub użyj aktualnej wersji Chrome, Firefoksa albo Safari.
camera-other = Nie udało się uruchomić kamery ({ $detail }).
camera-other-help = Naciśnij „Spróbuj ponownie” lub zamiast tego prześlij film.

## The ID (step 3)

id-title = Dodaj zdjęcie dokumentu tożsamości
doc-question = Jaki dokument sfotografujesz?
doc-passport = Paszport
doc-id-card = Dowód osobisty
doc-licence = Prawo jazdy
# $document is one of the three names above
doc-chosen = Wybrany dokument: { $document }.
side-any-front = Paszport, dowód osobisty lub prawo jazdy: sfotografuj stronę ze swoim zdjęciem.
side-passport = Otwórz paszport na stronie ze swoim zdjęciem i dwoma wierszami liter i znaków < na dole, a potem sfotografuj tę stronę.
side-id-card-front = Najpierw przód dowodu osobistego, czyli strona ze zdjęciem. Drugą stronę sfotografujesz potem.
side-licence-front = Najpierw przód prawa jazdy, czyli strona ze zdjęciem. Tył sfotografujesz potem.
side-id-card-back = Teraz strona z dwoma lub trzema wierszami liter i znaków < na dole (strefa odczytu maszynowego). W większości dowodów osobistych jest to tył.
side-licence-back = Teraz tył prawa jazdy, z dużym kodem kreskowym.
side-any-back = Teraz tył dokumentu.
back-title-id-card = Teraz tył dowodu osobistego
back-title-licence = Teraz tył prawa jazdy
back-title-any = Teraz tył dokumentu
tips = Aby zdjęcie było czytelne
tip-corners = Cały dokument w ramce, widoczne wszystkie cztery rogi.
tip-flat = Płasko na stole, w dobrym świetle.
tip-glare = Bez odblasków i bez palców na tekście lub kodzie kreskowym.
tip-sharp = Ostro: nie ruszaj się podczas robienia zdjęcia.
camera-photo = Zrób zdjęcie aparatem
take-photo = Zrób zdjęcie
upload-photo = Prześlij zdjęcie
upload-photo-instead = Zamiast tego prześlij zdjęcie
photo-failed = Nie udało się zrobić zdjęcia ({ $detail }). Spróbuj ponownie.
photo-check = Sprawdź, czy każda litera jest ostra i czytelna, bez odblasków i niczym niezasłonięta.
id-check-front = Sprawdź, czy cały dokument jest ostry i czytelny, bez odblasków.
id-check-back = Sprawdź, czy cały tył jest ostry i czytelny, bez odblasków.
id-another-front = Wybierz inne zdjęcie dokumentu.
id-another-back = Wybierz inne zdjęcie tyłu dokumentu.
choose-another = Wybierz inne
use-photo = Użyj tego zdjęcia
your-id-photo = Zdjęcie Twojego dokumentu
your-id-back = Twoje zdjęcie tyłu dokumentu
too-big-video = Ten film przekracza limit { $limit }. Wybierz mniejszy.
too-big-photo = To zdjęcie przekracza limit { $limit }. Wybierz mniejsze.

## Sending (step 4)

send-title = Wyślij do weryfikacji
send-intro = Twój film i zdjęcie dokumentu otrzyma { $partner } wyłącznie na potrzeby tej weryfikacji.
send-intro-back = Twój film i zdjęcia dokumentu otrzyma { $partner } wyłącznie na potrzeby tej weryfikacji.
ready-to-send = Gotowe do wysłania.
back = Wstecz
submit = Wyślij
uploading = Przesyłanie…
# $sent and $total are sizes ("1.2 MB")
upload-progress = Przesyłanie: { $sent } z { $total }
uploaded = Przesłano. Sprawdzamy Twój film i dokument…
processing = Sprawdzamy Twój film i dokument… To potrwa kilka sekund.
upload-not-started = Nie udało się rozpocząć przesyłania ({ $detail }).
upload-network = Przesyłanie nie powiodło się. Sprawdź połączenie i spróbuj ponownie; Twój film i zdjęcie zostały zachowane.
live-lost = Połączenie zostało przerwane podczas nagrywania. Sprawdź połączenie i nagraj film ponownie.
answer-unreadable = Nie udało się odczytać odpowiedzi serwera. Spróbuj ponownie.
retake-video = Nagraj film ponownie
retake-id = Wybierz inne zdjęcie dokumentu
retake-back = Wybierz inne zdjęcie tyłu
link-return = Wróć do serwisu { $partner } i rozpocznij weryfikację od nowa.
challenge-retry = Nagranie nie było zgodne z poleceniami na ekranie.
challenge-follow = Wykonuj każde polecenie, gdy się pojawi.
tries-left =
    { $count ->
        [one] To ostatnia próba.
        [few] Pozostały { $count } próby.
        [many] Pozostało { $count } prób.
       *[other] Pozostało { $count } próby.
    }

## What the server said, in the user's words (the server's own messages are English)

error-files = Nie można było użyć filmu lub zdjęcia. Nagraj film lub wybierz zdjęcia ponownie.
error-too-large = Plik przekracza limit rozmiaru. Wybierz mniejszy.
error-file-type = Jeden z plików nie jest filmem ani zdjęciem, które ta usługa potrafi odczytać.
error-link-invalid = Ten link weryfikacyjny jest nieprawidłowy.
error-link-used = Ten link weryfikacyjny został już użyty.
error-link-expired = Ten link weryfikacyjny wygasł.
error-too-many = Zbyt wiele prób. Odczekaj minutę i spróbuj ponownie.
error-busy = Usługa jest teraz przeciążona. Spróbuj ponownie za minutę.
error-server = Coś poszło nie tak po naszej stronie. Spróbuj ponownie.
error-other = Serwer zwrócił błąd ({ $status }).
unavailable-title = Weryfikacja niedostępna
unavailable-back = Wróć do strony, która Cię tu skierowała, i spróbuj ponownie.

## The result (step 5)

done-verified = Gotowe: Twoja tożsamość została potwierdzona.
done-review = Gotowe: Twoja weryfikacja jest sprawdzana.
done-rejected = Gotowe: nie udało się potwierdzić Twojej tożsamości.
verified-title = Tożsamość potwierdzona
verified-text = Dziękujemy. { $partner } wie już, że Twoja tożsamość została potwierdzona.
review-title = Dziękujemy, sprawdzamy
review-text = Twój film i dokument wymagają dokładniejszego sprawdzenia przez człowieka. { $partner } poinformuje Cię o wyniku.
rejected-title = Nie udało się Cię zweryfikować
rejected-text = Nie udało się potwierdzić, że na filmie i na zdjęciu dokumentu jest ta sama osoba. Aby spróbować ponownie, poproś { $partner } o nowy link weryfikacyjny.
reference = Numer referencyjny:
files-deleted-on = Twój film i zdjęcia zostaną usunięte dnia { $date }.
continue = Przejdź do serwisu { $partner }

## Advice after a rejection, for causes the user can fix

advice-id-photo-visible = Upewnij się, że zdjęcie w dokumencie jest w całości widoczne, a dokument jest wystarczająco blisko.
advice-id-alone = Sfotografuj sam dokument, bez innych twarzy w kadrze.
advice-id-light = Zrób zdjęcie dokumentu w równomiernym świetle, bez odblasków, i nie ruszaj się.
advice-face-oval = Trzymaj twarz w owalu przez całe nagranie.
advice-alone = Nagraj film bez udziału innych osób.
advice-turn = Wykonuj polecenia: obróć głowę w lewo, a potem w prawo.
advice-full-video = Nagraj cały film, nie opuszczając strony.
advice-good-light = Nagrywaj w dobrym świetle i trzymaj telefon nieruchomo.
advice-challenge = Wykonaj każdy ruch, gdy pojawi się jego polecenie: obróć głowę lub spójrz tam, gdzie trzeba, mrugnij, gdy pojawi się taka prośba, a między poleceniami patrz w kamerę.
advice-record-here = Nagraj film kamerą na tej stronie, zamiast przesyłać plik.
advice-document-photo = Sfotografuj stronę z wierszami do odczytu maszynowego (strona paszportu ze zdjęciem, tył dowodu osobistego) lub z kodem kreskowym (tył prawa jazdy): płasko, z bliska, ostro, bez odblasków.
advice-document-valid = Użyj dokumentu tożsamości, który jest nadal ważny.
advice-document-type = Wybierz rodzaj dokumentu, który fotografujesz.
