"""Arabic news texts written for the corpus tests, and helpers to de-duplicate them."""

from __future__ import annotations

from akhbar.corpus.cleaning.text import fold_for_dedup
from akhbar.corpus.config import DedupConfig
from akhbar.corpus.dedup.exact import key_digest
from akhbar.corpus.dedup.local import deduplicate_articles
from akhbar.corpus.dedup.near import MinHasher
from akhbar.corpus.records import Article, Provenance, article_id

WATER = (
    "أعلنت المؤسسة العامة لتحلية المياه المالحة اليوم عن بدء التشغيل التجريبي لمحطة جديدة "
    "على الساحل الشرقي، بطاقة إنتاجية تبلغ ستمائة ألف متر مكعب يوميا، وذلك ضمن خطة تهدف إلى "
    "تلبية الطلب المتزايد على المياه في المدن والقرى المجاورة خلال فصل الصيف. وقال مدير "
    "المشروع في مؤتمر صحفي عقده في موقع المحطة إن الأعمال الإنشائية استغرقت ثلاث سنوات، "
    "وشارك فيها أكثر من ألفي مهندس وفني من داخل المملكة وخارجها، مؤكدا أن المحطة تعتمد على "
    "تقنية التناضح العكسي التي تقلل استهلاك الطاقة بنسبة كبيرة مقارنة بالمحطات الحرارية "
    "القديمة. وأضاف أن المرحلة الثانية من المشروع ستبدأ مطلع العام المقبل، وتشمل مد خطوط "
    "أنابيب بطول مائتين وخمسين كيلومترا لنقل المياه إلى المناطق الداخلية، إضافة إلى إنشاء "
    "خزانات استراتيجية تكفي لسبعة أيام في حالات الطوارئ. من جهتهم، عبر عدد من سكان الأحياء "
    "المجاورة عن ارتياحهم لهذه الخطوة، مشيرين إلى أن انقطاع المياه في الأعوام الماضية كان "
    "يتكرر في أشهر الصيف، وأنهم يأملون أن تنتهي هذه المعاناة مع تشغيل المحطة بكامل طاقتها "
    "قبل نهاية العام الجاري كما وعدت الجهات المختصة في بيانها الصادر صباح اليوم."
)
FOOTBALL = (
    "حقق فريق النادي الأهلي فوزا ثمينا على ضيفه فريق الاتحاد بهدفين مقابل هدف واحد، في "
    "المباراة التي جمعت بينهما مساء أمس على الملعب الرئيسي بالمدينة ضمن منافسات الجولة "
    "الخامسة من الدوري الممتاز، وسط حضور جماهيري كبير ملأ المدرجات قبل انطلاق اللقاء بساعة. "
    "وافتتح المهاجم الدولي التسجيل في الدقيقة العشرين بعد تمريرة عرضية متقنة من الجناح "
    "الأيمن، قبل أن يعادل الضيوف النتيجة من ركلة جزاء احتسبها الحكم في نهاية الشوط الأول. "
    "وفي الشوط الثاني ضغط أصحاب الأرض بقوة، وأضاعوا عدة فرص محققة، إلى أن نجح لاعب الوسط "
    "البديل في إحراز هدف الفوز بتسديدة قوية من خارج منطقة الجزاء في الدقيقة الثمانين. وبهذا "
    "الفوز رفع الفريق رصيده إلى ثلاث عشرة نقطة في صدارة الترتيب، بينما تجمد رصيد منافسه عند "
    "تسع نقاط في المركز الرابع. وقال مدرب الفريق في المؤتمر الصحفي بعد المباراة إن لاعبيه "
    "قدموا أداء رجوليا، وإن الفريق سيواصل العمل بالجدية نفسها استعدادا للمباراة المقبلة."
)
BOOKS = (
    "افتتح وزير الثقافة مساء أمس معرض الكتاب الدولي في دورته الجديدة بمشاركة خمسمائة دار نشر "
    "من ثلاثين دولة عربية وأجنبية، ويستمر المعرض عشرة أيام يقدم خلالها برنامجا ثقافيا حافلا "
    "يضم ندوات فكرية وأمسيات شعرية وورش عمل للأطفال والشباب. وتحل دولة ضيف شرف هذا العام، "
    "حيث خصص لها جناح كبير يعرض مخطوطات نادرة وصورا تاريخية وأعمالا لكتابها المعاصرين. وأكد "
    "رئيس اللجنة المنظمة أن إدارة المعرض حرصت على توفير تطبيق إلكتروني يساعد الزوار على "
    "البحث عن العناوين ومواقع دور النشر، إلى جانب تخصيص حافلات مجانية لنقل الزوار من مواقف "
    "السيارات إلى أرض المعرض. وشهد اليوم الأول إقبالا كبيرا من العائلات وطلاب الجامعات، "
    "وقالت إحدى الزائرات إنها تحرص على زيارة المعرض كل عام لشراء الروايات الجديدة وكتب "
    "الأطفال، معربة عن أملها في أن تنخفض أسعار الكتب في الدورات المقبلة لتكون في متناول الجميع."
)


def edit_words(text: str, replacements: dict[int, str]) -> str:
    words = text.split(" ")
    for i, w in replacements.items():
        words[i] = w
    return " ".join(words)


# Two words changed, far apart, the length kept: a near duplicate (an editor's correction).
WATER_EDITED = edit_words(WATER, {19: "سبعمائة", 140: "ظل"})


def make_article(text: str, n: int, title: str = "خبر", source: str = "test") -> Article:
    url = f"https://example.test/{n}"
    return Article(
        id=article_id(source, url, title, text),
        title=title,
        text=text,
        provenance=Provenance(input_file="dedup.jsonl", record=str(n), reader="test"),
        source=source,
        url=url,
    )


def run_dedup(texts: list[str], config: DedupConfig | None = None, articles=None):
    """De-duplicate articles (made from ``texts`` unless given); returns them and the result."""
    config = config or DedupConfig()
    articles = articles or [make_article(t, i) for i, t in enumerate(texts)]
    hasher = MinHasher(config.num_perm, config.ngram, config.seed)
    folded = [fold_for_dedup(a.text) for a in articles]
    keys = [key_digest(f) for f in folded]
    return articles, deduplicate_articles(articles, keys, hasher.signatures(folded), config)
