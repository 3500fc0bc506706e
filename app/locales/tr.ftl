### Doğrulama sayfası (GET /verif/): son kullanıcının okuduğu ve duyduğu metinler, Türkçe.
### Başvuru dili İngilizcedir (en.ftl): her locales/*.ftl tam olarak aynı mesaj kimliklerine sahiptir,
### eksik bir mesajın yerine İngilizcesi gösterilir.
###
### Değişkenler (sayfa doldurur; koruyun ve dilin gerektirdiği yere koyun):
###   $partner  iş ortağının görünen adı ("Acme Bank")
###   $count    çoğul biçimini seçen sayı: seçim ifadesi kullanın
###             { $count -> [one] … *[other] … } (Türkçe için CLDR çoğul kategorileri)
###   $n        geri sayım sayısı (3, 2, 1)
###   $detail   kısa teknik neden, İngilizce (tarayıcıdan)
###   $limit, $sent, $total   dile göre biçimlendirilmiş dosya boyutları ("50 MB", "2,4 MB")
###   $document doc-passport / doc-id-card / doc-licence içindeki belge adlarından biri
###   $date     dile göre biçimlendirilmiş tarih
###   $status   HTTP durum kodu
### Telefondaki bir kişi için yazın: kısa, sade, kibar, ikinci çoğul şahıs (siz).

## The language switcher and the page frame

language = Dil
logo-alt = { $partner } logosu
progress = İlerleme
step-consent = Onay
step-selfie = Selfie videosu
step-id = Kimlik fotoğrafı
step-submit = Gönderim
try-again = Tekrar dene
camera-preview = Kamera önizlemesi
camera-starting = Kamera başlatılıyor…

## Consent (step 1). The consent text is versioned: change the meaning only with the English.

consent-title = Kimliğinizi doğrulayın
consent-intro = { $partner }, kimlik belgenizdeki kişinin siz olduğunuzu onaylamanızı istiyor. Bu yaklaşık bir dakika sürer.
consent-what-label = Neleri kaydediyoruz:
consent-what = 6 saniyelik bir selfie videosu ve resmî kimlik belgenizin bir fotoğrafı.
consent-why-label = Neden:
consent-why = yüzünüzü kimlik belgenizdeki fotoğrafla karşılaştırmak ve bizzat orada olduğunuzu kontrol etmek için.
consent-who-label = Kimler alır:
consent-who = Bu kontrolü isteyen { $partner }. Başka hiç kimse.
consent-how-long-label = Ne kadar süre:
consent-how-long =
    { $count ->
        [one] dosyalar { $count } gün sonra silinir; sonuç { $partner } tarafından saklanır.
       *[other] dosyalar { $count } gün sonra silinir; sonuç { $partner } tarafından saklanır.
    }
consent-agree = Selfie videomun ve kimlik fotoğrafımın bu doğrulama için işlenmesini kabul ediyorum.
consent-waiting = Devam etmek için lütfen okuyun ve kabul edin.
consent-ready = Hazır olduğunuzda başlayabilirsiniz.
start = Başla
help-link = Kamerayı kullanamıyor musunuz? { $partner } üzerinden yardım alın

## The selfie video (step 2)

selfie-title = Kısa bir selfie videosu kaydedin
selfie-intro-challenge =
    { $count ->
        [one] Telefonunuzu iyi ışıkta, göz hizanızda tutun. Kayıt sırasında kısa yönergeler başınızı çevirmenizi, yukarı bakmanızı veya göz kırpmanızı isteyecek: her birini göründüğünde yapın, sonra yeniden kameraya bakın. Yaklaşık { $count } saniye sürer.
       *[other] Telefonunuzu iyi ışıkta, göz hizanızda tutun. Kayıt sırasında kısa yönergeler başınızı çevirmenizi, yukarı bakmanızı veya göz kırpmanızı isteyecek: her birini göründüğünde yapın, sonra yeniden kameraya bakın. Yaklaşık { $count } saniye sürer.
    }
selfie-light = Kayıt sırasında kameranın çevresindeki ekranın rengi değişir: yüzünüzdeki bu ışık, şu anda gerçekten sizin olduğunuzu gösterir. Yüzünüzü ekrana yakın tutun.
camera-ready-selfie = Kamera hazır. Yüzünüzü ovalin içine yerleştirin, ardından “Kaydı başlat” düğmesine basın.
camera-ready-id = Kamera hazır. Kimliğinizi çerçevenin içine sığdırın, ardından “Fotoğraf çek” düğmesine basın.
record = Kaydı başlat
recording = Kaydediliyor…
countdown = Kayıt başlıyor: { $n }…
recording-finishing = Kayıt tamamlanıyor…
recording-failed = Kayıt başarısız oldu ({ $detail }). Lütfen yeniden kaydedin.
cannot-record = Bu tarayıcı video kaydedemiyor. Bunun yerine yüzünüzün göründüğü kısa bir video yükleyin.
no-camera-help = Hareketleri yapamıyor musunuz veya burada kamera yok mu? Bunun yerine yüzünüzün göründüğü kısa bir video yükleyin: videoyu bir kişi inceleyecek, bu daha uzun sürer.
upload-video = Bunun yerine kayıtlı bir video yükleyin
video-ready = Videonuz hazır. İzleyin, ardından kullanın ya da yeniden kaydedin.
selfie-check = Yüzünüzün net olduğunu ve başınızı çevirdiğinizi kontrol edin.
your-selfie = Selfie videonuz
record-again = Yeniden kaydet
use-video = Bu videoyu kullan
now-id = Şimdi kimliğinizin fotoğrafı.

## The prompts shown (and read aloud) while recording

prompt-look = Doğrudan kameraya bakın
prompt-left-slow = Başınızı yavaşça sola çevirin
prompt-right-slow = Şimdi başınızı yavaşça sağa çevirin
prompt-turn-left = Başınızı kendi solunuza çevirin
prompt-turn-right = Başınızı kendi sağınıza çevirin
prompt-look-up = Yukarı bakın
prompt-look-down = Aşağı bakın
prompt-blink = İki kez göz kırpın

## Camera problems: a headline and what to do

camera-denied = Kamera erişimi engellendi.
camera-denied-help = Adres çubuğundaki kamera simgesine (veya site ayarları simgesine) tıklayın, “İzin ver” seçeneğini seçin, ardından “Tekrar dene” düğmesine basın.
camera-denied-help-firefox = Adres çubuğundaki kamera simgesine tıklayın, engeli kaldırın, ardından “Tekrar dene” düğmesine basın.
camera-denied-help-safari = iPhone veya iPad'de: Ayarlar › Safari › Kamera › İzin Ver. Mac'te: Safari › Ayarlar › Web Siteleri › Kamera › İzin Ver. Ardından “Tekrar dene” düğmesine basın.
camera-none = Bu cihazda kamera bulunamadı.
camera-none-help = Bunun yerine yüzünüzün göründüğü kısa bir video yükleyin veya bu bağlantıyı bir telefonda açın.
camera-busy = Kamera meşgul.
camera-busy-help = Kamerayı kullanan diğer uygulamaları veya sekmeleri kapatın, ardından “Tekrar dene” düğmesine basın.
camera-unsupported = Bu tarayıcı burada kamerayı kullanamıyor.
camera-unsupported-help = Bunun yerine yüzünüzün göründüğü kısa bir video yükleyin veya Chrome, Firefox ya da Safari'nin güncel bir sürümünü kullanın.
camera-other = Kamera başlatılamadı ({ $detail }).
camera-other-help = “Tekrar dene” düğmesine basın veya bunun yerine bir video yükleyin.

## The ID (step 3)

id-title = Kimliğinizin fotoğrafını ekleyin
doc-question = Hangi belgenin fotoğrafını çekeceksiniz?
doc-passport = Pasaport
doc-id-card = Kimlik kartı
doc-licence = Sürücü belgesi
# $document is one of the three names above
doc-chosen = Seçilen belge: { $document }.
side-any-front = Pasaport, kimlik kartı veya sürücü belgesi: fotoğrafınızın bulunduğu yüzün fotoğrafını çekin.
side-passport = Pasaportunuzu, fotoğrafınızın ve altta harfler ile < işaretlerinden oluşan iki satırın bulunduğu sayfadan açın ve o sayfanın fotoğrafını çekin.
side-id-card-front = Önce kimlik kartınızın ön yüzü, yani fotoğrafınızın bulunduğu yüz. Diğer yüzün fotoğrafını ardından çekeceksiniz.
side-licence-front = Önce sürücü belgenizin ön yüzü, yani fotoğrafınızın bulunduğu yüz. Arka yüzün fotoğrafını ardından çekeceksiniz.
side-id-card-back = Şimdi altta harfler ve < işaretlerinden oluşan iki veya üç satırın bulunduğu yüz (makine tarafından okunabilen bölge). Çoğu kimlik kartında bu, arka yüzdür.
side-licence-back = Şimdi sürücü belgenizin büyük barkodlu arka yüzü.
side-any-back = Şimdi kimliğinizin arka yüzü.
back-title-id-card = Şimdi kimlik kartınızın arka yüzü
back-title-licence = Şimdi sürücü belgenizin arka yüzü
back-title-any = Şimdi kimliğinizin arka yüzü
tips = Okunaklı bir fotoğraf için
tip-corners = Belgenin tamamı çerçevenin içinde, dört köşesi de görünür olsun.
tip-flat = Masanın üzerinde düz duruyor ve iyi aydınlatılmış olsun.
tip-glare = Parlama olmasın; yazının veya barkodun üzerinde parmak olmasın.
tip-sharp = Net olsun: fotoğrafı çekerken kıpırdamayın.
camera-photo = Kamerayla fotoğraf çek
take-photo = Fotoğraf çek
upload-photo = Fotoğraf yükle
upload-photo-instead = Bunun yerine fotoğraf yükle
photo-failed = Fotoğraf çekilemedi ({ $detail }). Tekrar deneyin.
photo-check = Her harfin net ve okunaklı olduğunu, parlama olmadığını ve hiçbir yerin kapanmadığını kontrol edin.
id-check-front = Kimliğin tamamının net ve okunaklı olduğunu ve parlama olmadığını kontrol edin.
id-check-back = Arka yüzün tamamının net ve okunaklı olduğunu ve parlama olmadığını kontrol edin.
id-another-front = Kimliğinizin başka bir fotoğrafını seçin.
id-another-back = Arka yüzün başka bir fotoğrafını seçin.
choose-another = Başkasını seç
use-photo = Bu fotoğrafı kullan
your-id-photo = Kimlik fotoğrafınız
your-id-back = Kimliğinizin arka yüzünün fotoğrafı
too-big-video = Bu video { $limit } sınırından büyük. Daha küçük bir video seçin.
too-big-photo = Bu fotoğraf { $limit } sınırından büyük. Daha küçük bir fotoğraf seçin.

## Sending (step 4)

send-title = Doğrulama için gönderin
send-intro = Videonuz ve kimlik fotoğrafınız yalnızca bu kontrol için { $partner } kuruluşuna gönderilir.
send-intro-back = Videonuz ve kimliğinizin fotoğrafları yalnızca bu kontrol için { $partner } kuruluşuna gönderilir.
ready-to-send = Göndermeye hazır.
back = Geri
submit = Gönder
uploading = Yükleniyor…
# $sent and $total are sizes ("1.2 MB")
upload-progress = Yükleniyor: { $sent } / { $total }
uploaded = Yüklendi. Videonuz ve kimliğiniz kontrol ediliyor…
processing = Videonuz ve kimliğiniz kontrol ediliyor… Bu birkaç saniye sürer.
upload-not-started = Yükleme başlatılamadı ({ $detail }).
upload-network = Yükleme tamamlanamadı. Bağlantınızı kontrol edip tekrar deneyin; videonuz ve fotoğrafınız saklanıyor.
live-lost = Kayıt sırasında bağlantı kesildi. Bağlantınızı kontrol edin, ardından videoyu yeniden kaydedin.
answer-unreadable = Sunucudan gelen yanıt okunamadı. Lütfen tekrar deneyin.
retake-video = Videoyu yeniden kaydet
retake-id = Başka bir kimlik fotoğrafı seç
retake-back = Arka yüzün başka bir fotoğrafını seç
link-return = { $partner } sayfasına dönün ve doğrulamayı yeniden başlatın.
challenge-retry = Kayıt, ekrandaki yönergelere uymadı.
challenge-follow = Her yönergeyi göründüğü anda uygulayın.
tries-left =
    { $count ->
        [one] Bu son deneme hakkınız.
       *[other] { $count } deneme hakkınız kaldı.
    }

## What the server said, in the user's words (the server's own messages are English)

error-files = Video veya bir fotoğraf kullanılamadı. Videoyu yeniden kaydedin veya fotoğrafları yeniden seçin.
error-too-large = Bir dosya boyut sınırını aşıyor. Daha küçük bir dosya seçin.
error-file-type = Dosyalardan biri, bu hizmetin okuyabildiği bir video veya fotoğraf değil.
error-link-invalid = Bu doğrulama bağlantısı geçerli değil.
error-link-used = Bu doğrulama bağlantısı zaten kullanılmış.
error-link-expired = Bu doğrulama bağlantısının süresi dolmuş.
error-too-many = Çok fazla deneme yapıldı. Bir dakika bekleyin, ardından tekrar deneyin.
error-busy = Hizmet şu anda yoğun. Bir dakika sonra tekrar deneyin.
error-server = Bizim tarafımızda bir sorun oluştu. Lütfen tekrar deneyin.
error-other = Sunucu bir hatayla yanıt verdi ({ $status }).
unavailable-title = Doğrulama kullanılamıyor
unavailable-back = Lütfen sizi buraya yönlendiren siteye dönün ve tekrar deneyin.

## The result (step 5)

done-verified = Tamamlandı: kimliğiniz doğrulandı.
done-review = Tamamlandı: doğrulamanız inceleniyor.
done-rejected = Tamamlandı: kimliğiniz doğrulanamadı.
verified-title = Kimliğiniz doğrulandı
verified-text = Teşekkürler. { $partner } artık kimliğinizin onaylandığını biliyor.
review-title = Teşekkürler, kontrol ediyoruz
review-text = Videonuzun ve kimliğinizin bir kişi tarafından daha yakından incelenmesi gerekiyor. Sonucu size { $partner } bildirecek.
rejected-title = Kimliğinizi doğrulayamadık
rejected-text = Videodaki kişi ile kimlik fotoğrafındaki kişinin aynı kişi olduğu doğrulanamadı. Tekrar denemek için { $partner } kuruluşundan yeni bir doğrulama bağlantısı isteyin.
reference = Referans:
files-deleted-on = Videonuz ve fotoğraflarınız { $date } tarihinde silinecek.
continue = { $partner } sayfasına devam et

## Advice after a rejection, for causes the user can fix

advice-id-photo-visible = Kimliğinizdeki fotoğrafın tamamen göründüğünden ve yeterince yakından çekildiğinden emin olun.
advice-id-alone = Kimliğinizi tek başına fotoğraflayın; karede başka yüz olmasın.
advice-id-light = Kimlik fotoğrafını eşit ışıkta, parlama olmadan çekin ve kıpırdamayın.
advice-face-oval = Kayıt boyunca yüzünüzü ovalin içinde tutun.
advice-alone = Videoyu tek başınıza kaydedin.
advice-turn = Yönergeleri uygulayın: başınızı önce sola, sonra sağa çevirin.
advice-full-video = Sayfadan ayrılmadan videonun tamamını kaydedin.
advice-good-light = İyi ışıkta kaydedin ve telefonu sabit tutun.
advice-challenge = Her hareketi, yönergesi göründüğünde yapın: istendiği gibi başınızı çevirin veya bakın, istendiğinde göz kırpın ve yönergeler arasında yüzünüzü kameraya dönün.
advice-record-here = Dosya yüklemek yerine videoyu bu sayfada kamerayla kaydedin.
advice-document-photo = Makine tarafından okunabilen satırların (pasaportun fotoğraflı sayfası, kimlik kartının arka yüzü) veya barkodun (sürücü belgesinin arka yüzü) bulunduğu yüzün fotoğrafını çekin: düz, yakından, net ve parlamasız.
advice-document-valid = Hâlâ geçerli olan bir kimlik belgesi kullanın.
advice-document-type = Fotoğrafını çektiğiniz belgenin türünü seçin.
