### The capture page (GET /verif/): what the end user reads and hears, in Brazilian Portuguese (pt-BR, "você").
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

language = Idioma
logo-alt = Logotipo de { $partner }
progress = Progresso
step-consent = Consentimento
step-selfie = Vídeo selfie
step-id = Foto do documento
step-submit = Enviar
try-again = Tentar de novo
camera-preview = Visualização da câmera
camera-starting = Iniciando a câmera…

## Consent (step 1). The consent text is versioned: change the meaning only with the English.

consent-title = Confirme sua identidade
consent-intro = { $partner } pede que você confirme que é a pessoa do seu documento de identidade. Leva cerca de um minuto.
consent-what-label = O que coletamos:
consent-what = um vídeo selfie de 6 segundos e uma foto do seu documento oficial de identidade.
consent-why-label = Por quê:
consent-why = para comparar seu rosto com a foto do seu documento e verificar que você está presente pessoalmente.
consent-who-label = Quem recebe:
consent-who = { $partner }, que solicitou esta verificação. Mais ninguém.
consent-how-long-label = Por quanto tempo:
consent-how-long =
    { $count ->
        [one] os arquivos são excluídos após { $count } dia; o resultado fica guardado com { $partner }.
       *[other] os arquivos são excluídos após { $count } dias; o resultado fica guardado com { $partner }.
    }
consent-agree = Concordo que meu vídeo selfie e a foto do meu documento sejam tratados para esta verificação.
consent-waiting = Leia e aceite para continuar.
consent-ready = Comece quando quiser.
start = Começar
help-link = Não consegue usar a câmera? Peça ajuda a { $partner }

## The selfie video (step 2)

selfie-title = Grave um vídeo selfie curto
selfie-intro-challenge =
    { $count ->
        [one] Segure o celular na altura dos olhos, em um lugar bem iluminado. Durante a gravação, instruções curtas vão pedir que você vire a cabeça, olhe para cima ou pisque: faça cada uma quando ela aparecer e depois volte a olhar para a câmera. Leva cerca de { $count } segundo.
       *[other] Segure o celular na altura dos olhos, em um lugar bem iluminado. Durante a gravação, instruções curtas vão pedir que você vire a cabeça, olhe para cima ou pisque: faça cada uma quando ela aparecer e depois volte a olhar para a câmera. Leva cerca de { $count } segundos.
    }
selfie-light = Durante a gravação, a tela ao redor da câmera muda de cor: essa luz no seu rosto mostra que é você mesmo, agora. Mantenha o rosto perto da tela.
camera-ready-selfie = Câmera pronta. Posicione o rosto dentro do oval e toque em Gravar.
camera-ready-id = Câmera pronta. Enquadre o documento dentro da moldura e toque em Tirar foto.
record = Gravar
recording = Gravando…
countdown = A gravação começa em { $n }…
recording-finishing = Finalizando a gravação…
recording-failed = A gravação falhou ({ $detail }). Grave novamente.
cannot-record = Este navegador não consegue gravar vídeo. Em vez disso, envie um vídeo curto do seu rosto.
no-camera-help = Não consegue fazer os movimentos ou não tem câmera aqui? Em vez disso, envie um vídeo curto do seu rosto: uma pessoa vai analisá-lo, o que demora mais.
upload-video = Enviar um vídeo já gravado
video-ready = Seu vídeo está pronto. Assista e depois use-o ou grave novamente.
selfie-check = Confira se o seu rosto aparece com nitidez e se você virou a cabeça.
your-selfie = Seu vídeo selfie
record-again = Gravar novamente
use-video = Usar este vídeo
now-id = Agora, uma foto do seu documento.

## The prompts shown (and read aloud) while recording

prompt-look = Olhe diretamente para a câmera
prompt-left-slow = Vire a cabeça devagar para a esquerda
prompt-right-slow = Agora vire a cabeça devagar para a direita
prompt-turn-left = Vire a cabeça para a sua esquerda
prompt-turn-right = Vire a cabeça para a sua direita
prompt-look-up = Olhe para cima
prompt-look-down = Olhe para baixo
prompt-blink = Pisque duas vezes

## Camera problems: a headline and what to do

camera-denied = O acesso à câmera está bloqueado.
camera-denied-help = Clique no ícone da câmera (ou no ícone de configurações do site) na barra de endereço, escolha Permitir e toque em Tentar de novo.
camera-denied-help-firefox = Clique no ícone da câmera na barra de endereço, remova o bloqueio e toque em Tentar de novo.
camera-denied-help-safari = No iPhone ou iPad: Ajustes › Safari › Câmera › Permitir. No Mac: Safari › Ajustes › Sites › Câmera › Permitir. Depois, toque em Tentar de novo.
camera-none = Nenhuma câmera foi encontrada neste dispositivo.
camera-none-help = Em vez disso, envie um vídeo curto do seu rosto ou abra este link em um celular.
camera-busy = A câmera está ocupada.
camera-busy-help = Feche outros apps ou abas que estejam usando a câmera e toque em Tentar de novo.
camera-unsupported = Este navegador não consegue usar a câmera aqui.
camera-unsupported-help = Em vez disso, envie um vídeo curto do seu rosto ou use uma versão recente do Chrome, Firefox ou Safari.
camera-other = Não foi possível iniciar a câmera ({ $detail }).
camera-other-help = Toque em Tentar de novo ou, em vez disso, envie um vídeo.

## The ID (step 3)

id-title = Adicione uma foto do seu documento
doc-question = Qual documento você vai fotografar?
doc-passport = Passaporte
doc-id-card = Carteira de identidade
doc-licence = Carteira de motorista
# $document is one of the three names above
doc-chosen = Documento escolhido: { $document }.
side-any-front = Passaporte, carteira de identidade ou carteira de motorista: fotografe o lado com a sua foto.
side-passport = Abra o passaporte na página com a sua foto e as duas linhas de letras e sinais < na parte de baixo, e fotografe essa página.
side-id-card-front = Primeiro a frente da carteira de identidade, o lado com a sua foto. Depois você fotografa o outro lado.
side-licence-front = Primeiro a frente da carteira de motorista, o lado com a sua foto. Depois você fotografa o verso.
side-id-card-back = Agora o lado com as duas ou três linhas de letras e sinais < na parte de baixo (a zona de leitura mecânica). Na maioria das carteiras de identidade, esse lado é o verso.
side-licence-back = Agora o verso da carteira de motorista, com o código de barras grande.
side-any-back = Agora o verso do seu documento.
back-title-id-card = Agora o verso da carteira de identidade
back-title-licence = Agora o verso da carteira de motorista
back-title-any = Agora o verso do seu documento
tips = Para uma foto legível
tip-corners = O documento inteiro dentro da moldura, com os quatro cantos visíveis.
tip-flat = Apoiado sobre uma mesa, com boa iluminação.
tip-glare = Sem reflexos e sem dedos sobre o texto ou o código de barras.
tip-sharp = Nítida: não se mexa enquanto tira a foto.
camera-photo = Tirar uma foto com a câmera
take-photo = Tirar foto
upload-photo = Enviar uma foto
upload-photo-instead = Enviar uma foto em vez disso
photo-failed = Não foi possível tirar a foto ({ $detail }). Tente de novo.
photo-check = Confira se todas as letras estão nítidas e legíveis, sem reflexos e sem nada encobrindo.
id-check-front = Confira se o documento inteiro está nítido e legível, sem reflexos.
id-check-back = Confira se o verso inteiro está nítido e legível, sem reflexos.
id-another-front = Escolha outra foto do seu documento.
id-another-back = Escolha outra foto do verso.
choose-another = Escolher outra
use-photo = Usar esta foto
your-id-photo = A foto do seu documento
your-id-back = Sua foto do verso do documento
too-big-video = Este vídeo ultrapassa o limite de { $limit }. Escolha um menor.
too-big-photo = Esta foto ultrapassa o limite de { $limit }. Escolha uma menor.

## Sending (step 4)

send-title = Enviar para verificação
send-intro = Seu vídeo e a foto do seu documento são enviados a { $partner } somente para esta verificação.
send-intro-back = Seu vídeo e as fotos do seu documento são enviados a { $partner } somente para esta verificação.
ready-to-send = Tudo pronto para enviar.
back = Voltar
submit = Enviar
uploading = Enviando…
# $sent and $total are sizes ("1.2 MB")
upload-progress = Enviando { $sent } de { $total }
uploaded = Envio concluído. Verificando seu vídeo e seu documento…
processing = Verificando seu vídeo e seu documento… isso leva alguns segundos.
upload-not-started = Não foi possível iniciar o envio ({ $detail }).
upload-network = O envio não foi concluído. Verifique sua conexão e tente de novo; seu vídeo e sua foto continuam guardados.
live-lost = A conexão caiu durante a gravação. Verifique sua conexão e grave o vídeo novamente.
answer-unreadable = Não foi possível ler a resposta do servidor. Tente de novo.
retake-video = Gravar o vídeo novamente
retake-id = Escolher outra foto do documento
retake-back = Escolher outra foto do verso
link-return = Volte para { $partner } e comece a verificação de novo.
challenge-retry = A gravação não seguiu as instruções da tela.
challenge-follow = Siga cada instrução assim que ela aparecer.
tries-left =
    { $count ->
        [one] Esta é a última tentativa.
       *[other] Restam { $count } tentativas.
    }

## What the server said, in the user's words (the server's own messages are English)

error-files = Não foi possível usar o vídeo ou uma das fotos. Grave o vídeo ou escolha as fotos novamente.
error-too-large = Um arquivo ultrapassa o limite. Escolha um menor.
error-file-type = Um arquivo não é um vídeo nem uma foto que este serviço consiga ler.
error-link-invalid = Este link de verificação não é válido.
error-link-used = Este link de verificação já foi usado.
error-link-expired = Este link de verificação expirou.
error-too-many = Tentativas demais. Aguarde um minuto e tente de novo.
error-busy = O serviço está sobrecarregado. Tente de novo daqui a um minuto.
error-server = Algo deu errado do nosso lado. Tente de novo.
error-other = O servidor respondeu com um erro ({ $status }).
unavailable-title = Verificação indisponível
unavailable-back = Volte ao site que enviou você para cá e tente de novo.

## The result (step 5)

done-verified = Pronto: sua identidade foi verificada.
done-review = Pronto: sua verificação está em análise.
done-rejected = Pronto: não foi possível verificar sua identidade.
verified-title = Identidade verificada
verified-text = Obrigado. { $partner } agora sabe que sua identidade está confirmada.
review-title = Obrigado, estamos verificando
review-text = Seu vídeo e seu documento precisam ser analisados com mais atenção por uma pessoa. { $partner } vai informar o resultado a você.
rejected-title = Não conseguimos verificar sua identidade
rejected-text = Não foi possível confirmar que o vídeo e a foto do documento são da mesma pessoa. Peça a { $partner } um novo link de verificação para tentar de novo.
reference = Referência:
files-deleted-on = Seu vídeo e suas fotos serão excluídos em { $date }.
continue = Continuar para { $partner }

## Advice after a rejection, for causes the user can fix

advice-id-photo-visible = Verifique se a foto do seu documento está totalmente visível e perto o suficiente.
advice-id-alone = Fotografe apenas o documento, sem outros rostos na imagem.
advice-id-light = Tire a foto do documento com luz uniforme, sem reflexos, e não se mexa.
advice-face-oval = Mantenha o rosto dentro do oval durante toda a gravação.
advice-alone = Grave o vídeo sem outras pessoas na imagem.
advice-turn = Siga as instruções: vire a cabeça para a esquerda e depois para a direita.
advice-full-video = Grave o vídeo inteiro sem sair da página.
advice-good-light = Grave em um lugar bem iluminado e segure o celular firme.
advice-challenge = Faça cada movimento quando a instrução aparecer: vire a cabeça ou olhe na direção pedida, pisque quando for pedido e fique de frente para a câmera entre as instruções.
advice-record-here = Grave o vídeo nesta página com a câmera, em vez de enviar um arquivo.
advice-document-photo = Fotografe o lado com as linhas de leitura mecânica (a página com foto do passaporte, o verso da carteira de identidade) ou o código de barras (o verso da carteira de motorista): apoiado, de perto, nítido e sem reflexos.
advice-document-valid = Use um documento de identidade que ainda esteja válido.
advice-document-type = Escolha o tipo do documento que você está fotografando.
