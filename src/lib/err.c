/* err.c: the error table. */
#include "tearline/tearline.h"

static const char *const err_text[] = {
#define TL_ERR_TEXT(name, text) text,
    TL_ERRNO_MAP(TL_ERR_TEXT)
#undef TL_ERR_TEXT
};

static const char *const err_names[] = {
#define TL_ERR_NAME(name, text) #name,
    TL_ERRNO_MAP(TL_ERR_NAME)
#undef TL_ERR_NAME
};

const char *tl_strerror(tl_err err)
{
    if ((unsigned)err >= TL_ERR_COUNT) return "unknown error";
    return err_text[err];
}

const char *tl_err_name(tl_err err)
{
    if ((unsigned)err >= TL_ERR_COUNT) return "EUNKNOWN";
    return err_names[err];
}

const char *tl_version(void)
{
    return TL_VERSION;
}
