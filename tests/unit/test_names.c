/*
 * test_names.c: name matching across scripts (docs/names.md): romanization,
 * Arabic letter folding and skeletons, particles and compounds, kunya and
 * nisba, the generic-name rule, explanations, blocking keys, linking and
 * clustering.
 */
#include "testutil.h"

#include "tearline/names.h"

#include "names_int.h"

static tl_names *nx;

static tl_name *prep(const char *s)
{
    tl_name *n = NULL;
    tl_err rc = tl_names_prepare(nx, s, strlen(s), &n);
    if (rc) fail_msg("preparing '%s': %s", s, tl_strerror(rc));
    return n;
}

static double score(const char *a, const char *b)
{
    tl_name *x = prep(a), *y = prep(b);
    double s = tl_name_score(x, y), t = tl_name_score(y, x);
    if (s != t) fail_msg("'%s' / '%s': not symmetric (%f, %f)", a, b, s, t);
    tl_name_free(x);
    tl_name_free(y);
    return s;
}

static void linked(const char *a, const char *b)
{
    double s = score(a, b);
    if (s < TL_NAMES_THRESHOLD) fail_msg("'%s' / '%s' scored %.4f: expected a link", a, b, s);
    /* and they share a blocking key, so linking finds them */
    tl_name *x = prep(a), *y = prep(b);
    uint64_t kx[256], ky[256];
    size_t nx_ = tl_name_keys(x, kx, 256), ny = tl_name_keys(y, ky, 256);
    int shared = 0;
    for (size_t i = 0; i < nx_; i++)
        for (size_t j = 0; j < ny; j++)
            shared |= kx[i] == ky[j];
    tl_name_free(x);
    tl_name_free(y);
    if (!shared) fail_msg("'%s' / '%s' share no blocking key", a, b);
}

static void apart(const char *a, const char *b)
{
    double s = score(a, b);
    if (s >= TL_NAMES_THRESHOLD) fail_msg("'%s' / '%s' scored %.4f: expected no link", a, b, s);
}

static void form(const char *name, const char *want)
{
    tl_name *n = prep(name);
    char buf[512];
    tl_name_form(n, buf, sizeof buf);
    tl_name_free(n);
    if (strcmp(buf, want) != 0) fail_msg("form of '%s': got '%s', expected '%s'", name, buf, want);
}

static void test_cyrillic(void **state)
{
    (void)state;
    /* BGN/PCGN, as the example */
    form("Тархан Батирашвили", "tarkhan batirashvili");
    assert_true(score("Тархан Батирашвили", "Tarkhan Batirashvili") > 0.999);
    /* surname first, patronymic present or not */
    linked("Умаров Доку Хаматович", "DOKU KHAMATOVICH UMAROV");
    linked("Умаров Доку Хаматович", "Doku Umarov");
    /* ISO 9 and German-style romanizations */
    linked("Ахмед Чатаев", "Akhmed Čataev");
    linked("Ахмед Чатаев", "Achmed Tschatajew");
    linked("Джохар Царнаев", "Dschochar Zarnajew");
    linked("Ахмед Ражапович Чатаев", "AKHMED RAJAPOVICH CHATAEV");
    /* a patronymic is marked, and counts half */
    form("Шамиль Магомедович Измайлов", "shamil patr:magomedovich izmaylov");
    /* different people with a shared given name and patronymic */
    apart("Тархан Исмаилович Газиев", "Tarkhan Ismailovich Umarov");
    apart("Ахмед Чатаев", "Akhmed Umarov");
}

static void test_arabic(void **state)
{
    (void)state;
    linked("صدام حسين التكريتي", "SADDAM HUSSEIN AL-TIKRITI");
    /* letter variants fold: Farsi yeh and keheh, hamza forms, ta marbuta, tatweel */
    linked("عبد الروف ذاکر", "ABDUL RAUF ZAKIR");
    linked("أديب شعبـان العانــي", "ADIB SHABAN AL-ANI");
    assert_true(score("ذاکر حسن", "ذاكر حسن") > 0.999);
    assert_true(score("أحمد الغماري", "احمد الغماري") > 0.999);
    /* compounds: Abd al-X, X-ullah, X ad-Din, written apart or together */
    linked("احسان الله سرفدا حسام الدین آخوندزاده", "EHSANULLAH SARFIDA HESAMUDDIN AKHUNDZADA");
    linked("عبدالخالق الحوثي", "ABD AL-KHALIQ AL-HOUTHI");
    linked("عبدالحی سالک", "ABDULHAI SALEK");
    linked("Abd al-Rahman Hamdi", "Abdurrahman Hamdi");
    linked("Abdullah Azzam", "Abd Allah Azzam");
    linked("Salah al-Din Gasmi", "Salaheddine Gasmi");
    /* an apostrophe keeps two vowels apart: Rabi'i is ربيعي, not Rabii */
    linked("NIDAL AL-RABI'I", "نضال الربيعي");
    /* bin written together with the next name, in a chain of bin-X */
    linked("SEIFALLAH BEN OMAR BEN MOHAMED BEN HASSINE", "سيف الله بن عمر بن محمد بنحسين");
    form("بندر بن سلطان", "بندر سلطان");
    form("سلطان بن بندر", "سلطان بندر"); /* Bandar is a name, not bin + dar */
    /* two words read as one take the place of a weaker pairing of one of them */
    assert_true(score("ALI MAYCHOU", "علي ما يشو") > 0.999);
    assert_true(score("ABDUL RAZAQ AKHUND LALA AKHUND", "عبد الرزاق آخوند لا لا آخوند") > 0.999);
    /* common given names alone are weak: one, or only common ones */
    assert_true(score("Abd al-Rahman", "Abdurrahman") < TL_NAMES_THRESHOLD);
    assert_true(score("محمد حسن", "Muhammad Hasan") < 0.91);
    /* a word's first ʿayn is its first vowel: Hala is not Ali */
    apart("HALA SADDAM HUSSEIN AL-TIKRITI", "علي صدام حسين التكريتي");
    /* the long vowels Arabic writes must be in the romanization */
    apart("حسين", "Hasan");
    apart("حامد", "Ahmad");
    apart("محمود", "Muhammad");
    /* a Latin digraph may be two Arabic letters, but a silent final ه earns nothing: طه is
       Taha, not the th of Uthman */
    apart("خالد طه", "KHALID UTHMAN");
    /* another person with a longer name that contains this one */
    apart("قصي صدام حسين التكريتي", "SADDAM HUSSEIN AL-TIKRITI");
    /* an article written into the word before a doubled sun letter */
    linked("زكريا الصبار", "ZAKARYA ESSABAR");
    /* X ur-Rahman; bin al- written into one word; Pashto letters; a final h that is spoken;
       digraphs that are two Arabic letters; a hamza seat; Isa written with one vowel */
    linked("عزیز الرحمان عبد الاحد", "AZIZIRAHMAN ABDUL AHAD");
    linked("رمزي محمد بن الشيبة", "RAMZI MOHAMED BINALSHIBH");
    linked("محمد عمر ځدران", "MUHAMMAD OMAR ZADRAN");
    linked("احمد طه خالد", "AHMAD TAHA KHALID");
    linked("محمد لكحل", "MOHAMED LAKHAL");
    linked("سلطان هاشم أحمد الطائي", "SULTAN HASHIM AHMAD AL-TA'I");
    linked("محمد عیسی آخوند", "MOHAMMAD ESSA AKHUND");
    /* words run together on one side: scored as one (blocking does not find this pair) */
    assert_true(score("حسن ظاهرعويس", "HASSAN DAHIR AWEYS") >= TL_NAMES_THRESHOLD);
    /* a kunya written as one word */
    linked("سليمان جاسم سليمان علي أبوغيث", "SULAIMAN JASSEM SULAIMAN ALI ABO GHAITH");
}

static void test_kunya_nisba(void **state)
{
    (void)state;
    form("Abu Omar al-Shishani", "abu:omar nisba:shishani");
    form("Abu Umar the Chechen", "abu:umar nisba:shishani");
    linked("Abu Omar al-Shishani", "Abu Umar the Chechen");
    linked("أبو عمر الشيشاني", "Abu Umar al-Shishani");
    linked("Абу Умар аш-Шишани", "Abu Omar al-Shishani");
    /* a kunya alone is generic: weak evidence, never a link by itself */
    double s = score("Abu Omar", "Abu Umar");
    assert_true(s > 0.6 && s < TL_NAMES_THRESHOLD);
    /* Abu Bakr is a given name */
    linked("أبو بكر البغدادي", "Abubakar al-Baghdadi");
    linked("أبو بكر البغدادي", "Abu Bakr al-Baghdadi");
    /* a kunya never pairs with a plain token */
    apart("Abu Omar", "Omar");
}

static void test_explain(void **state)
{
    (void)state;
    tl_name *a = prep("Умаров Доку Хаматович"), *b = prep("Dokka Umarov");
    char buf[1024];
    double s = tl_name_explain(a, b, buf, sizeof buf);
    assert_true(s == tl_name_score(a, b));
    if (!strstr(buf, "umarov = umarov 1.00") || !strstr(buf, "doku ~ dokka") ||
        !strstr(buf, "unmatched in the first: patr:khamatovich (patronymic, half weight)"))
        fail_msg("explanation: %s", buf);
    /* a tiny buffer is truncated, not overrun */
    char small[8];
    memset(small, 'x', sizeof small);
    tl_name_explain(a, b, small, 5);
    assert_true(strlen(small) == 4 && small[5] == 'x');
    tl_name_free(a);
    tl_name_free(b);
    a = prep("Abu Omar");
    b = prep("Abu Umar");
    tl_name_explain(a, b, buf, sizeof buf);
    assert_non_null(strstr(buf, "a kunya or one common given name alone is a generic name"));
    tl_name_free(a);
    tl_name_free(b);
}

static void test_brackets(void **state)
{
    (void)state;
    form("Lom-ali Butayev (Butaev)", "lom ali butayev | butaev");
    form("Amir Khazmat (original script: Амир Хазмат)", "amir khazmat | amir khazmat");
    linked("Катиба ат-Таухид валь-Джихад", "KHATIBA AL-TAWHID WAL-JIHAD (KTJ)");
}

/* An organization's name translated, not transliterated: its common words glossed. */
static void test_organizations(void **state)
{
    (void)state;
    linked("EGYPTIAN ISLAMIC JIHAD", "الجهاد الاسلامي المصري");
    linked("LIBYAN ISLAMIC FIGHTING GROUP", "الجماعة الاسلامية المقاتلة الليبية");
    linked("TUNISIAN COMBATANT GROUP", "الجماعة التونسية المقاتلة"); /* a synonym */
    linked("AL-NUSRAH FRONT FOR THE PEOPLE OF THE LEVANT", "جبهة النصرة لأهل الشام"); /* li- */
    linked("HANIFA MONEY EXCHANGE OFFICE", "مكتب حنيفة للصرافة");                     /* lil- */
    linked("HAQQANI NETWORK (HQN)", "شبکه حقانی");                                    /* Persian */
    linked("TARIQ GIDAR GROUP (TGG)", "طارق گیدڑ گروپ");                              /* Urdu ڑ */
    linked("REVIVAL OF ISLAMIC HERITAGE SOCIETY", "جمعية احياء التراث الاسلامي");     /* a hamza */
    /* French: its little words and elisions */
    linked("MOUVEMENT POUR L’UNIFICATION ET LE JIHAD EN AFRIQUE DE L’OUEST (MUJAO)",
           "حركة التوحيد والجهاد في غرب إفريقيا");
    /* an organization's kind before its name is not a son's given name */
    linked("THE ARMY OF EMIGRANTS AND SUPPORTERS", "تنظیم جیش المھاجرین و الأنصار");
    /* every variant gets keys, the last too, after a long Arabic one's many */
    linked("ظاهر عويس قاسم خليل صدام حسين حسن جاسم غيث (Ivan Petrov)", "Ivan Petrov");
    /* A / B: two names of one group */
    form("AL-ITIHAAD AL-ISLAMIYA / AIAI", "itihaad islamiya | aiai");
    /* transliterated still: a ta marbuta read t before a genitive; ad-Din assimilated */
    linked("ASBAT AL-ANSAR", "عصبة الأنصار");
    linked("ANSAR EDDINE", "انصار الدين");
    /* the generic words weigh little: groups that share only them stay apart */
    apart("ARMED ISLAMIC GROUP", "الجماعة الاسلامية المقاتلة الليبية");
    apart("JEMAAH ISLAMIYAH", "الجماعة الاسلامية المسلحة");
    apart("ISLAMIC STATE IN IRAQ AND THE LEVANT - LIBYA",
          "الدولة الإسلامية في العراق والشام - اليمن");
    apart("EGYPTIAN ISLAMIC JIHAD", "الجهاد الاسلامي الفلسطيني");
    /* a person's name is read as before */
    linked("صدام حسين التكريتي", "SADDAM HUSSEIN AL-TIKRITI");
}

static void test_bad_input(void **state)
{
    (void)state;
    tl_name *n = NULL;
    assert_int_equal(tl_names_prepare(nx, "\xff\xfe", 2, &n), TL_EINVAL);
    assert_null(n);
    assert_int_equal(tl_names_prepare(nx, "123 -- !!", 9, &n), TL_EINVAL);
    char *big = malloc(TL_NAME_MAX + 2);
    memset(big, 'a', TL_NAME_MAX + 1);
    big[TL_NAME_MAX + 1] = '\0';
    assert_int_equal(tl_names_prepare(nx, big, TL_NAME_MAX + 1, &n), TL_EINVAL);
    /* at the limit, with many words: accepted, tokens capped */
    for (size_t i = 0; i < TL_NAME_MAX; i++)
        big[i] = i % 3 == 2 ? ' ' : 'b';
    assert_int_equal(tl_names_prepare(nx, big, TL_NAME_MAX, &n), TL_OK);
    tl_name_free(n);
    free(big);
}

struct pairs {
    size_t n;
    size_t a[16], b[16];
};

static int collect(size_t ia, size_t ib, double s, void *ud)
{
    struct pairs *p = ud;
    assert_true(s >= TL_NAMES_THRESHOLD);
    if (p->n < 16) {
        p->a[p->n] = ia;
        p->b[p->n] = ib;
    }
    p->n++;
    return 0;
}

static int stop(size_t ia, size_t ib, double s, void *ud)
{
    (void)ia, (void)ib, (void)s, (void)ud;
    return 1;
}

static void test_link_cluster(void **state)
{
    (void)state;
    const char *as[] = {"Тархан Батирашвили", "صدام حسين التكريتي", "Abu Omar", "Ivan Petrov"};
    const char *bs[] = {"John Smith", "SADDAM HUSSEIN AL-TIKRITI", "Tarkhan Batirashvili",
                        "Abu Umar", "Batirashvili Tarkhan"};
    tl_name *a[4], *b[5];
    for (int i = 0; i < 4; i++)
        a[i] = prep(as[i]);
    for (int i = 0; i < 5; i++)
        b[i] = prep(bs[i]);
    struct pairs p = {0};
    assert_int_equal(tl_names_link(a, 4, b, 5, TL_NAMES_THRESHOLD, collect, &p), TL_OK);
    /* in order of a, then b; the generic kunya is not linked */
    assert_int_equal(p.n, 3);
    assert_true(p.a[0] == 0 && p.b[0] == 2);
    assert_true(p.a[1] == 0 && p.b[1] == 4);
    assert_true(p.a[2] == 1 && p.b[2] == 1);
    assert_int_equal(tl_names_link(a, 4, b, 5, TL_NAMES_THRESHOLD, stop, NULL), TL_EINTERRUPTED);
    /* clusters over one list: named by their first member */
    tl_name *all[] = {a[0], b[0], a[1], b[2], b[1], a[3], b[4]};
    size_t cl[7];
    assert_int_equal(tl_names_cluster(all, 7, TL_NAMES_THRESHOLD, cl), TL_OK);
    size_t want[] = {0, 1, 2, 0, 2, 5, 0};
    for (int i = 0; i < 7; i++)
        if (cl[i] != want[i]) fail_msg("cluster of %d: got %zu, expected %zu", i, cl[i], want[i]);
    for (int i = 0; i < 4; i++)
        tl_name_free(a[i]);
    for (int i = 0; i < 5; i++)
        tl_name_free(b[i]);
}

/*
 * Linking at the threshold finds what scoring finds: blocking keys for a
 * name's every variant (an English reading comes last, after many keys of
 * the Arabic one), and the bound that skips reading two words as one
 * counts the pairs that reading can improve (قا~qaida by قا+عدة = qaida).
 * Emirat and Emarat: the same consonants raise a spelling's similarity.
 */
static void test_link_translated(void **state)
{
    (void)state;
    const char *as[] = {"THE ORGANIZATION OF AL-QAIDA IN THE ISLAMIC MAGHREB", "EMARAT KAVKAZ"};
    const char *bs[] = {"تنظيم القا عدة ببلاد المغرب الاسلامي", "Эмират Кавказ"};
    tl_name *a[2], *b[2];
    for (int i = 0; i < 2; i++) {
        a[i] = prep(as[i]);
        b[i] = prep(bs[i]);
    }
    struct pairs p = {0};
    assert_int_equal(tl_names_link(a, 2, b, 2, TL_NAMES_THRESHOLD, collect, &p), TL_OK);
    assert_int_equal(p.n, 2);
    for (size_t i = 0; i < 2; i++)
        if (p.a[i] != i || p.b[i] != i) fail_msg("link %zu: %zu - %zu", i, p.a[i], p.b[i]);
    for (int i = 0; i < 2; i++) {
        tl_name_free(a[i]);
        tl_name_free(b[i]);
    }
}

/* Jaro-Winkler bit-parallel and as a loop: one result on 200,000 random pairs. */
static void test_jaro_winkler(void **state)
{
    (void)state;
    assert_int_equal(tl__names_jw_mismatches(42, 200000), 0);
    /* and align()'s match of an Arabic and a Latin code is pair_gain's */
    assert_int_equal(tl__names_gain_mismatches(), 0);
}

/*
 * The quick bound that spares a comparison never rejects a token pair that
 * reaches the floor, nor the bound that spares linking a pair of romanized
 * names a pair whose score is above it: checked over every token pair of the UN list's
 * Arabic-script names (395) and its first 1,000 Latin names, and of those
 * Latin names among themselves.
 */
static void test_quick_bound(void **state)
{
    (void)state;
    char path[512];
    FILE *f = fopen(tu_shared("data/names/un-sanctions-names.tsv", path, sizeof path), "r");
    assert_non_null(f);
    tl_name *arab[400], *latn[1000];
    size_t na = 0, nl = 0;
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *name = strrchr(line, '\t'), *script = name ? name - 4 : NULL;
        if (!name || script < line) continue;
        int is_arab = !strncmp(script, "Arab", 4), is_latn = !strncmp(script, "Latn", 4);
        if ((is_arab && na < 400) || (is_latn && nl < 1000)) {
            tl_name *n = NULL;
            if (tl_names_prepare(nx, name + 1, strlen(name + 1), &n) != TL_OK) continue;
            if (is_arab)
                arab[na++] = n;
            else
                latn[nl++] = n;
        }
    }
    fclose(f);
    assert_true(na == 395 && nl == 1000);
    int bad = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nl; j++)
            bad += tl__names_bound_violations(arab[i], latn[j]);
    for (size_t i = 0; i < nl; i++)
        for (size_t j = 0; j < nl; j++)
            bad += tl__names_bound_violations(latn[i], latn[j]);
    assert_int_equal(bad, 0);
    for (size_t i = 0; i < na; i++)
        tl_name_free(arab[i]);
    for (size_t i = 0; i < nl; i++)
        tl_name_free(latn[i]);
}

static int setup(void **state)
{
    (void)state;
    return tl_names_new(&nx) == TL_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tl_names_free(nx);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cyrillic),        cmocka_unit_test(test_arabic),
        cmocka_unit_test(test_kunya_nisba),     cmocka_unit_test(test_explain),
        cmocka_unit_test(test_brackets),        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_link_cluster),    cmocka_unit_test(test_organizations),
        cmocka_unit_test(test_link_translated), cmocka_unit_test(test_jaro_winkler),
        cmocka_unit_test(test_quick_bound),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
