### The capture page (GET /verif/): what the end user reads and hears, in Simplified Chinese.
### English (en.ftl) is the reference: this file has exactly the same message ids, and a
### message missing here falls back to the English one.
###
### Variables (the page fills them in; keep them, move them where the language wants them):
###   $partner  the partner's display name ("Acme Bank")
###   $count    a number; Chinese has only the CLDR plural category "other", so the
###             messages use { $count } directly, without a select expression
###   $n        a countdown number (3, 2, 1)
###   $detail   a short technical reason, in English (from the browser)
###   $limit, $sent, $total   file sizes already formatted for the language ("50 MB")
###   $document a document name from doc-passport / doc-id-card / doc-licence
###   $date     a date already formatted for the language
###   $status   an HTTP status number
### Written for a person on a phone: short, plain, polite, second person ("您").

## The language switcher and the page frame

language = 语言
logo-alt = { $partner } 标志
progress = 进度
step-consent = 同意
step-selfie = 自拍视频
step-id = 证件照片
step-submit = 提交
try-again = 重试
camera-preview = 摄像头预览
camera-starting = 正在启动摄像头…

## Consent (step 1). The consent text is versioned: change the meaning only with the English.

consent-title = 验证您的身份
consent-intro = { $partner } 请您确认您就是证件上的本人。整个过程大约需要一分钟。
consent-what-label = 我们采集的内容：
consent-what = 一段 6 秒的自拍视频，以及一张您的政府签发证件的照片。
consent-why-label = 用途：
consent-why = 将您的面部与证件上的照片进行比对，并确认是您本人在场。
consent-who-label = 接收方：
consent-who = { $partner }，即要求进行此项验证的一方。不会提供给其他任何人。
consent-how-long-label = 保存期限：
consent-how-long = 文件将在 { $count } 天后删除；验证结果由 { $partner } 保存。
consent-agree = 我同意为本次验证处理我的自拍视频和证件照片。
consent-waiting = 请阅读并同意后继续。
consent-ready = 准备好后即可开始。
start = 开始
help-link = 无法使用摄像头？向 { $partner } 寻求帮助

## The selfie video (step 2)

selfie-title = 录制一段简短的自拍视频
selfie-intro-challenge = 请在光线充足的地方，将手机举到与眼睛齐平的高度。录制过程中，屏幕上会出现简短提示，要求您转头、向上看或眨眼：每个提示出现时照做，然后重新看向摄像头。大约需要 { $count } 秒。
selfie-light = 录制时，摄像头周围的屏幕会变换颜色：照在您脸上的光表明此刻确实是您本人。请让脸靠近屏幕。
camera-ready-selfie = 摄像头已就绪。请将面部置于椭圆框内，然后点按“录制”。
camera-ready-id = 摄像头已就绪。请将证件完整放入取景框内，然后点按“拍照”。
record = 录制
recording = 正在录制…
countdown = { $n } 秒后开始录制…
recording-finishing = 正在完成录制…
recording-failed = 录制失败（{ $detail }）。请重新录制。
cannot-record = 此浏览器无法录制视频。请改为上传一段您面部的短视频。
no-camera-help = 无法完成这些动作，或者这里没有摄像头？请改为上传一段您面部的短视频：将由工作人员人工审核，所需时间较长。
upload-video = 改为上传已录制的视频
video-ready = 您的视频已准备好。请先观看，然后使用该视频或重新录制。
selfie-check = 请检查您的面部是否清晰，以及您是否转了头。
your-selfie = 您的自拍视频
record-again = 重新录制
use-video = 使用此视频
now-id = 接下来，请拍摄您的证件照片。

## The prompts shown (and read aloud) while recording

prompt-look = 请直视摄像头
prompt-left-slow = 慢慢向左转头
prompt-right-slow = 现在慢慢向右转头
prompt-turn-left = 向您的左侧转头
prompt-turn-right = 向您的右侧转头
prompt-look-up = 向上看
prompt-look-down = 向下看
prompt-blink = 眨眼两次

## Camera problems: a headline and what to do

camera-denied = 摄像头访问已被阻止。
camera-denied-help = 点击地址栏中的摄像头图标（或网站设置图标），选择“允许”，然后点按“重试”。
camera-denied-help-firefox = 点击地址栏中的摄像头图标，取消阻止，然后点按“重试”。
camera-denied-help-safari = 在 iPhone 或 iPad 上：设置 › Safari 浏览器 › 相机 › 允许。在 Mac 上：Safari 浏览器 › 设置 › 网站 › 相机 › 允许。然后点按“重试”。
camera-none = 此设备上未找到摄像头。
camera-none-help = 请改为上传一段您面部的短视频，或在手机上打开此链接。
camera-busy = 摄像头正被占用。
camera-busy-help = 请关闭正在使用摄像头的其他应用或标签页，然后点按“重试”。
camera-unsupported = 此浏览器无法在此处使用摄像头。
camera-unsupported-help = 请改为上传一段您面部的短视频，或使用较新版本的 Chrome、Firefox 或 Safari。
camera-other = 摄像头无法启动（{ $detail }）。
camera-other-help = 请点按“重试”，或改为上传视频。

## The ID (step 3)

id-title = 添加您的证件照片
doc-question = 您要拍摄哪种证件？
doc-passport = 护照
doc-id-card = 身份证
doc-licence = 驾驶证
# $document is one of the three names above
doc-chosen = 已选择：{ $document }。
side-any-front = 护照、身份证或驾驶证：请拍摄带有您照片的那一面。
side-passport = 请将护照翻到有您照片、底部有两行字母和 < 符号的那一页，然后拍摄该页。
side-id-card-front = 先拍身份证正面，即带有您照片的那一面。接下来再拍另一面。
side-licence-front = 先拍驾驶证正面，即带有您照片的那一面。接下来再拍背面。
side-id-card-back = 现在请拍底部有两行或三行字母和 < 符号的那一面（机读区）。大多数身份证的机读区在背面。
side-licence-back = 现在请拍驾驶证背面，即带有大条形码的那一面。
side-any-back = 现在请拍证件背面。
back-title-id-card = 现在拍身份证背面
back-title-licence = 现在拍驾驶证背面
back-title-any = 现在拍证件背面
tips = 如何拍出清晰可读的照片
tip-corners = 整个证件位于取景框内，四个角都清晰可见。
tip-flat = 平放在桌面上，光线充足。
tip-glare = 没有反光，手指不要遮挡文字或条形码。
tip-sharp = 保持清晰：拍照时请保持不动。
camera-photo = 用摄像头拍照
take-photo = 拍照
upload-photo = 上传照片
upload-photo-instead = 改为上传照片
photo-failed = 拍照失败（{ $detail }）。请重试。
photo-check = 请检查每个字都清晰可读，没有反光，也没有任何遮挡。
id-check-front = 请检查整个证件清晰可读，没有反光。
id-check-back = 请检查整个背面清晰可读，没有反光。
id-another-front = 选择另一张证件照片。
id-another-back = 选择另一张背面照片。
choose-another = 另选一张
use-photo = 使用此照片
your-id-photo = 您的证件照片
your-id-back = 您的证件背面照片
too-big-video = 此视频超过了 { $limit } 的大小限制。请选择较小的视频。
too-big-photo = 此照片超过了 { $limit } 的大小限制。请选择较小的照片。

## Sending (step 4)

send-title = 提交验证
send-intro = 您的视频和证件照片将发送给 { $partner }，仅用于本次验证。
send-intro-back = 您的视频和证件的各张照片将发送给 { $partner }，仅用于本次验证。
ready-to-send = 可以提交了。
back = 返回
submit = 提交
uploading = 正在上传…
# $sent and $total are sizes ("1.2 MB")
upload-progress = 正在上传：{ $sent } / { $total }
uploaded = 已上传。正在核验您的视频和证件…
processing = 正在核验您的视频和证件…需要几秒钟。
upload-not-started = 无法开始上传（{ $detail }）。
upload-network = 上传未成功。请检查网络连接后重试；您的视频和照片仍会保留。
live-lost = 录制过程中连接中断。请检查网络连接，然后重新录制视频。
answer-unreadable = 无法读取服务器的响应。请重试。
retake-video = 重新录制视频
retake-id = 选择另一张证件照片
retake-back = 选择另一张背面照片
link-return = 请返回 { $partner }，重新开始验证。
challenge-retry = 录制过程中未按照屏幕上的提示操作。
challenge-follow = 请在每个提示出现时按提示操作。
tries-left = 还剩 { $count } 次机会。

## What the server said, in the user's words (the server's own messages are English)

error-files = 视频或某张照片无法使用。请重新录制视频或重新选择照片。
error-too-large = 某个文件超过了大小限制。请选择较小的文件。
error-file-type = 某个文件不是本服务可以读取的视频或照片。
error-link-invalid = 此验证链接无效。
error-link-used = 此验证链接已被使用。
error-link-expired = 此验证链接已过期。
error-too-many = 尝试次数过多。请等待一分钟后再试。
error-busy = 服务繁忙。请一分钟后再试。
error-server = 我们这边出了点问题。请重试。
error-other = 服务器返回了错误（{ $status }）。
unavailable-title = 验证不可用
unavailable-back = 请返回将您引导至此处的网站，然后重试。

## The result (step 5)

done-verified = 已完成：您的身份已通过验证。
done-review = 已完成：您的验证正在审核中。
done-rejected = 已完成：您的身份未能通过验证。
verified-title = 验证成功
verified-text = 谢谢。{ $partner } 现已确认您的身份。
review-title = 谢谢，我们正在核查
review-text = 您的视频和证件需要工作人员进一步人工核查。{ $partner } 会告知您结果。
rejected-title = 我们无法验证您的身份
rejected-text = 无法确认视频和证件照片中是同一个人。如需重试，请向 { $partner } 索取新的验证链接。
reference = 参考编号：
files-deleted-on = 您的视频和照片将于 { $date } 删除。
continue = 继续前往 { $partner }

## Advice after a rejection, for causes the user can fix

advice-id-photo-visible = 请确保证件上的照片完整可见，并且拍得足够近。
advice-id-alone = 请单独拍摄证件，画面中不要出现其他人脸。
advice-id-light = 请在均匀的光线下拍摄证件，避免反光，并保持不动。
advice-face-oval = 在整个录制过程中，请让面部保持在椭圆框内。
advice-alone = 请独自录制视频。
advice-turn = 请按提示操作：先向左转头，再向右转头。
advice-full-video = 请完整录制视频，中途不要离开此页面。
advice-good-light = 请在光线充足的地方录制，并拿稳手机。
advice-challenge = 每个提示出现时完成相应动作：按要求转头或看向指定方向，要求眨眼时眨眼，两个提示之间请面向摄像头。
advice-record-here = 请在此页面上用摄像头录制视频，不要上传文件。
advice-document-photo = 请拍摄带有机读行的那一面（护照的照片页、身份证背面）或带有条形码的那一面（驾驶证背面）：平放、靠近、清晰、无反光。
advice-document-valid = 请使用仍在有效期内的身份证件。
advice-document-type = 请选择您所拍摄证件的类型。
