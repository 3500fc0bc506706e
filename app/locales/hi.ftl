### The capture page (GET /verif/): what the end user reads and hears, in Hindi.
### English (en.ftl) is the reference: this file has exactly the same message ids, and a
### message missing here falls back to the English one.
###
### Variables (the page fills them in; keep them, move them where the language wants them):
###   $partner  the partner's display name ("Acme Bank")
###   $count    a number that chooses the plural form: select expression with the CLDR
###             plural categories of Hindi: [one] (0 and 1) *[other]
###   $n        a countdown number (3, 2, 1)
###   $detail   a short technical reason, in English (from the browser)
###   $limit, $sent, $total   file sizes already formatted for the language ("50 MB")
###   $document a document name from doc-passport / doc-id-card / doc-licence
###   $date     a date already formatted for the language
###   $status   an HTTP status number
### Written for a person on a phone: short, plain, polite, second person ("आप").

## The language switcher and the page frame

language = भाषा
logo-alt = { $partner } का लोगो
progress = प्रगति
step-consent = सहमति
step-selfie = सेल्फ़ी वीडियो
step-id = ID की फ़ोटो
step-submit = भेजें
try-again = फिर से कोशिश करें
camera-preview = कैमरा प्रीव्यू
camera-starting = कैमरा चालू हो रहा है…

## Consent (step 1). The consent text is versioned: change the meaning only with the English.

consent-title = अपनी पहचान की पुष्टि करें
consent-intro = { $partner } आपसे यह पुष्टि करने को कहता है कि आपके ID पर दिखने वाले व्यक्ति आप ही हैं। इसमें लगभग एक मिनट लगता है।
consent-what-label = हम क्या रिकॉर्ड करते हैं:
consent-what = 6 सेकंड का एक सेल्फ़ी वीडियो और आपके सरकारी ID की एक फ़ोटो।
consent-why-label = क्यों:
consent-why = आपके चेहरे का मिलान आपके ID पर लगी फ़ोटो से करने के लिए, और यह जाँचने के लिए कि आप खुद मौजूद हैं।
consent-who-label = इसे कौन पाता है:
consent-who = { $partner }, जिसने यह जाँच माँगी है। कोई और नहीं।
consent-how-long-label = कितने समय तक:
consent-how-long =
    { $count ->
        [one] फ़ाइलें { $count } दिन के बाद हटा दी जाती हैं; नतीजा { $partner } के पास रहता है।
       *[other] फ़ाइलें { $count } दिनों के बाद हटा दी जाती हैं; नतीजा { $partner } के पास रहता है।
    }
consent-agree = मैं सहमत हूँ कि इस पुष्टि के लिए मेरे सेल्फ़ी वीडियो और ID की फ़ोटो को प्रोसेस किया जाए।
consent-waiting = आगे बढ़ने के लिए कृपया पढ़ें और सहमति दें।
consent-ready = जब आप तैयार हों, शुरू करें।
start = शुरू करें
help-link = कैमरा इस्तेमाल नहीं कर पा रहे? { $partner } से मदद लें

## The selfie video (step 2)

selfie-title = एक छोटा सेल्फ़ी वीडियो रिकॉर्ड करें
selfie-intro-challenge =
    { $count ->
        [one] अच्छी रोशनी में फ़ोन को आँखों की ऊँचाई पर रखें। रिकॉर्डिंग के दौरान छोटे निर्देश आएँगे, जैसे सिर घुमाना, ऊपर देखना या पलकें झपकाना: हर निर्देश आते ही उसे करें, फिर वापस कैमरे की ओर देखें। इसमें लगभग { $count } सेकंड लगता है।
       *[other] अच्छी रोशनी में फ़ोन को आँखों की ऊँचाई पर रखें। रिकॉर्डिंग के दौरान छोटे निर्देश आएँगे, जैसे सिर घुमाना, ऊपर देखना या पलकें झपकाना: हर निर्देश आते ही उसे करें, फिर वापस कैमरे की ओर देखें। इसमें लगभग { $count } सेकंड लगते हैं।
    }
selfie-light = रिकॉर्डिंग के दौरान कैमरे के आसपास की स्क्रीन का रंग बदलता है: आपके चेहरे पर पड़ने वाली यह रोशनी दिखाती है कि यह सच में आप ही हैं, अभी। अपना चेहरा स्क्रीन के पास रखें।
camera-ready-selfie = कैमरा तैयार है। अपना चेहरा अंडाकार घेरे के अंदर रखें, फिर "रिकॉर्ड करें" दबाएँ।
camera-ready-id = कैमरा तैयार है। अपना ID फ़्रेम के अंदर रखें, फिर "फ़ोटो लें" दबाएँ।
record = रिकॉर्ड करें
recording = रिकॉर्ड हो रहा है…
countdown = रिकॉर्डिंग शुरू होने में { $n }…
recording-finishing = रिकॉर्डिंग पूरी हो रही है…
recording-failed = रिकॉर्डिंग नहीं हो पाई ({ $detail })। कृपया फिर से रिकॉर्ड करें।
cannot-record = यह ब्राउज़र वीडियो रिकॉर्ड नहीं कर सकता। इसके बजाय अपने चेहरे का एक छोटा वीडियो अपलोड करें।
no-camera-help = ये मूवमेंट नहीं कर पा रहे, या यहाँ कैमरा नहीं है? इसके बजाय अपने चेहरे का एक छोटा वीडियो अपलोड करें: कोई व्यक्ति उसे जाँचेगा, जिसमें ज़्यादा समय लगता है।
upload-video = इसके बजाय रिकॉर्ड किया हुआ वीडियो अपलोड करें
video-ready = आपका वीडियो तैयार है। उसे देखें, फिर उसका इस्तेमाल करें या फिर से रिकॉर्ड करें।
selfie-check = जाँच लें कि आपका चेहरा साफ़ दिख रहा है और आपने सिर घुमाया है।
your-selfie = आपका सेल्फ़ी वीडियो
record-again = फिर से रिकॉर्ड करें
use-video = यह वीडियो इस्तेमाल करें
now-id = अब आपके ID की एक फ़ोटो।

## The prompts shown (and read aloud) while recording

prompt-look = सीधे कैमरे की ओर देखें
prompt-left-slow = धीरे-धीरे सिर बाईं ओर घुमाएँ
prompt-right-slow = अब धीरे-धीरे सिर दाईं ओर घुमाएँ
prompt-turn-left = अपना सिर अपनी बाईं ओर घुमाएँ
prompt-turn-right = अपना सिर अपनी दाईं ओर घुमाएँ
prompt-look-up = ऊपर देखें
prompt-look-down = नीचे देखें
prompt-blink = दो बार पलकें झपकाएँ

## Camera problems: a headline and what to do

camera-denied = कैमरे की अनुमति ब्लॉक है।
camera-denied-help = एड्रेस बार में कैमरा आइकन (या साइट सेटिंग्स आइकन) पर क्लिक करें, "अनुमति दें" (Allow) चुनें, फिर "फिर से कोशिश करें" दबाएँ।
camera-denied-help-firefox = एड्रेस बार में कैमरा आइकन पर क्लिक करें, रोक हटाएँ, फिर "फिर से कोशिश करें" दबाएँ।
camera-denied-help-safari = iPhone या iPad पर: Settings › Safari › Camera › Allow। Mac पर: Safari › Settings › Websites › Camera › Allow। फिर "फिर से कोशिश करें" दबाएँ।
camera-none = इस डिवाइस पर कोई कैमरा नहीं मिला।
camera-none-help = इसके बजाय अपने चेहरे का एक छोटा वीडियो अपलोड करें, या यह लिंक किसी फ़ोन पर खोलें।
camera-busy = कैमरा अभी किसी और काम में लगा है।
camera-busy-help = कैमरा इस्तेमाल करने वाले दूसरे ऐप या टैब बंद करें, फिर "फिर से कोशिश करें" दबाएँ।
camera-unsupported = यह ब्राउज़र यहाँ कैमरा इस्तेमाल नहीं कर सकता।
camera-unsupported-help = इसके बजाय अपने चेहरे का एक छोटा वीडियो अपलोड करें, या Chrome, Firefox या Safari का नया वर्ज़न इस्तेमाल करें।
camera-other = कैमरा चालू नहीं हो सका ({ $detail })।
camera-other-help = "फिर से कोशिश करें" दबाएँ, या इसके बजाय एक वीडियो अपलोड करें।

## The ID (step 3)

id-title = अपने ID की एक फ़ोटो जोड़ें
doc-question = आप किस डॉक्यूमेंट की फ़ोटो लेंगे?
doc-passport = पासपोर्ट
doc-id-card = पहचान पत्र
doc-licence = ड्राइविंग लाइसेंस
# $document is one of the three names above
doc-chosen = चुना गया: { $document }।
side-any-front = पासपोर्ट, पहचान पत्र या ड्राइविंग लाइसेंस: उस तरफ़ की फ़ोटो लें जिस पर आपकी फ़ोटो है।
side-passport = अपना पासपोर्ट उस पेज पर खोलें जिस पर आपकी फ़ोटो है और सबसे नीचे अक्षरों और < चिह्नों की दो लाइनें हैं, और उस पेज की फ़ोटो लें।
side-id-card-front = पहले अपने पहचान पत्र का सामने वाला हिस्सा, जिस तरफ़ आपकी फ़ोटो है। दूसरी तरफ़ की फ़ोटो आप उसके बाद लेंगे।
side-licence-front = पहले अपने ड्राइविंग लाइसेंस का सामने वाला हिस्सा, जिस तरफ़ आपकी फ़ोटो है। पीछे की तरफ़ की फ़ोटो आप उसके बाद लेंगे।
side-id-card-back = अब वह तरफ़ जिसके सबसे नीचे अक्षरों और < चिह्नों की दो या तीन लाइनें हैं (मशीन से पढ़ा जाने वाला हिस्सा)। ज़्यादातर पहचान पत्रों में यह पीछे की तरफ़ होता है।
side-licence-back = अब अपने ड्राइविंग लाइसेंस का पिछला हिस्सा, जिस पर बड़ा बारकोड है।
side-any-back = अब अपने ID का पिछला हिस्सा।
back-title-id-card = अब अपने पहचान पत्र का पिछला हिस्सा
back-title-licence = अब अपने ड्राइविंग लाइसेंस का पिछला हिस्सा
back-title-any = अब अपने ID का पिछला हिस्सा
tips = साफ़ पढ़ी जा सकने वाली फ़ोटो के लिए
tip-corners = पूरा डॉक्यूमेंट फ़्रेम के अंदर हो, चारों कोने दिखें।
tip-flat = टेबल पर सीधा रखा हो, अच्छी रोशनी में।
tip-glare = कोई चमक न हो, और लिखावट या बारकोड पर उँगलियाँ न हों।
tip-sharp = साफ़ फ़ोटो: फ़ोटो लेते समय हाथ स्थिर रखें।
camera-photo = कैमरे से फ़ोटो लें
take-photo = फ़ोटो लें
upload-photo = फ़ोटो अपलोड करें
upload-photo-instead = इसके बजाय फ़ोटो अपलोड करें
photo-failed = फ़ोटो नहीं ली जा सकी ({ $detail })। फिर से कोशिश करें।
photo-check = जाँच लें कि हर अक्षर साफ़ और पढ़ने लायक है, कोई चमक नहीं है और कुछ ढका नहीं है।
id-check-front = जाँच लें कि पूरा ID साफ़ और पढ़ने लायक है, बिना चमक के।
id-check-back = जाँच लें कि पूरा पिछला हिस्सा साफ़ और पढ़ने लायक है, बिना चमक के।
id-another-front = अपने ID की कोई दूसरी फ़ोटो चुनें।
id-another-back = पिछले हिस्से की कोई दूसरी फ़ोटो चुनें।
choose-another = दूसरी चुनें
use-photo = यह फ़ोटो इस्तेमाल करें
your-id-photo = आपके ID की फ़ोटो
your-id-back = आपके ID के पिछले हिस्से की फ़ोटो
too-big-video = यह वीडियो { $limit } की सीमा से बड़ा है। कोई छोटा वीडियो चुनें।
too-big-photo = यह फ़ोटो { $limit } की सीमा से बड़ी है। कोई छोटी फ़ोटो चुनें।

## Sending (step 4)

send-title = पुष्टि के लिए भेजें
send-intro = आपका वीडियो और ID की फ़ोटो सिर्फ़ इस जाँच के लिए { $partner } को भेजे जाते हैं।
send-intro-back = आपका वीडियो और आपके ID की सभी फ़ोटो सिर्फ़ इस जाँच के लिए { $partner } को भेजे जाते हैं।
ready-to-send = भेजने के लिए तैयार।
back = वापस
submit = भेजें
uploading = अपलोड हो रहा है…
# $sent and $total are sizes ("1.2 MB")
upload-progress = { $total } में से { $sent } अपलोड हो रहा है
uploaded = अपलोड हो गया। आपके वीडियो और ID की जाँच हो रही है…
processing = आपके वीडियो और ID की जाँच हो रही है… इसमें कुछ सेकंड लगते हैं।
upload-not-started = अपलोड शुरू नहीं हो सका ({ $detail })।
upload-network = अपलोड पूरा नहीं हुआ। अपना इंटरनेट कनेक्शन जाँचें और फिर से कोशिश करें; आपका वीडियो और फ़ोटो सुरक्षित हैं।
live-lost = रिकॉर्डिंग के दौरान कनेक्शन टूट गया। अपना कनेक्शन जाँचें, फिर वीडियो दोबारा रिकॉर्ड करें।
answer-unreadable = सर्वर का जवाब पढ़ा नहीं जा सका। कृपया फिर से कोशिश करें।
retake-video = वीडियो फिर से रिकॉर्ड करें
retake-id = ID की कोई दूसरी फ़ोटो चुनें
retake-back = पिछले हिस्से की कोई दूसरी फ़ोटो चुनें
link-return = { $partner } पर वापस जाएँ और पुष्टि फिर से शुरू करें।
challenge-retry = रिकॉर्डिंग में स्क्रीन पर दिए गए निर्देशों का पालन नहीं हुआ।
challenge-follow = हर निर्देश आते ही उसका पालन करें।
tries-left =
    { $count ->
        [one] यह आखिरी कोशिश है।
       *[other] { $count } कोशिशें बाकी हैं।
    }

## What the server said, in the user's words (the server's own messages are English)

error-files = वीडियो या कोई फ़ोटो इस्तेमाल नहीं हो सकी। वीडियो फिर से रिकॉर्ड करें या फ़ोटो फिर से चुनें।
error-too-large = कोई फ़ाइल सीमा से बड़ी है। कोई छोटी फ़ाइल चुनें।
error-file-type = कोई फ़ाइल ऐसा वीडियो या फ़ोटो नहीं है जिसे यह सेवा पढ़ सके।
error-link-invalid = यह पुष्टि लिंक मान्य नहीं है।
error-link-used = यह पुष्टि लिंक पहले ही इस्तेमाल हो चुका है।
error-link-expired = इस पुष्टि लिंक की समय-सीमा खत्म हो गई है।
error-too-many = बहुत ज़्यादा कोशिशें हो गईं। एक मिनट रुकें, फिर से कोशिश करें।
error-busy = सेवा अभी व्यस्त है। एक मिनट बाद फिर से कोशिश करें।
error-server = हमारी तरफ़ से कुछ गड़बड़ हो गई। कृपया फिर से कोशिश करें।
error-other = सर्वर ने एक एरर बताया ({ $status })।
unavailable-title = पुष्टि उपलब्ध नहीं है
unavailable-back = कृपया उस साइट पर वापस जाएँ जिसने आपको यहाँ भेजा था, और फिर से कोशिश करें।

## The result (step 5)

done-verified = हो गया: आपकी पहचान की पुष्टि हो गई है।
done-review = हो गया: आपकी पुष्टि की समीक्षा हो रही है।
done-rejected = हो गया: आपकी पहचान की पुष्टि नहीं हो सकी।
verified-title = आपकी पुष्टि हो गई
verified-text = धन्यवाद। { $partner } को अब पता है कि आपकी पहचान की पुष्टि हो गई है।
review-title = धन्यवाद, हम जाँच रहे हैं
review-text = आपके वीडियो और ID को किसी व्यक्ति द्वारा ध्यान से देखने की ज़रूरत है। { $partner } आपको नतीजा बताएगा।
rejected-title = हम आपकी पुष्टि नहीं कर सके
rejected-text = यह पुष्टि नहीं हो सकी कि वीडियो और ID की फ़ोटो में एक ही व्यक्ति है। फिर से कोशिश करने के लिए { $partner } से नया पुष्टि लिंक माँगें।
reference = संदर्भ:
files-deleted-on = आपका वीडियो और फ़ोटो { $date } को हटा दिए जाएँगे।
continue = { $partner } पर आगे बढ़ें

## Advice after a rejection, for causes the user can fix

advice-id-photo-visible = पक्का करें कि आपके ID पर लगी फ़ोटो पूरी दिख रही है और काफ़ी पास से ली गई है।
advice-id-alone = सिर्फ़ अपने ID की फ़ोटो लें, तस्वीर में कोई और चेहरा न हो।
advice-id-light = ID की फ़ोटो एक जैसी रोशनी में, बिना चमक के लें, और हाथ स्थिर रखें।
advice-face-oval = पूरी रिकॉर्डिंग के दौरान अपना चेहरा अंडाकार घेरे के अंदर रखें।
advice-alone = वीडियो अकेले रिकॉर्ड करें।
advice-turn = निर्देशों का पालन करें: सिर बाईं ओर घुमाएँ, फिर दाईं ओर।
advice-full-video = पेज छोड़े बिना पूरा वीडियो रिकॉर्ड करें।
advice-good-light = अच्छी रोशनी में रिकॉर्ड करें और फ़ोन स्थिर रखें।
advice-challenge = हर मूवमेंट उसका निर्देश आते ही करें: जैसा कहा जाए वैसे सिर घुमाएँ या देखें, कहे जाने पर पलकें झपकाएँ, और निर्देशों के बीच कैमरे की ओर देखें।
advice-record-here = फ़ाइल अपलोड करने के बजाय इसी पेज पर कैमरे से वीडियो रिकॉर्ड करें।
advice-document-photo = उस तरफ़ की फ़ोटो लें जिस पर मशीन से पढ़ी जाने वाली लाइनें हैं (पासपोर्ट का फ़ोटो वाला पेज, पहचान पत्र का पिछला हिस्सा) या बारकोड है (लाइसेंस का पिछला हिस्सा): सीधा रखा हुआ, पास से, साफ़, बिना चमक के।
advice-document-valid = ऐसा पहचान डॉक्यूमेंट इस्तेमाल करें जो अभी भी मान्य हो।
advice-document-type = जिस डॉक्यूमेंट की फ़ोटो ले रहे हैं, उसका प्रकार चुनें।
