/*
 * prov.h: tearline's provenance extension, carried by every holding.
 *
 * Provenance is a STIX 2.1 property-extension under a fixed id:
 *
 *   "extensions": {
 *     "extension-definition--bb13a4a1-e6c4-4412-ad4b-bef9a3a4a9db": {
 *       "extension_type": "property-extension",
 *       "source_ref": "identity--…",      protected source (an identity)
 *       "discipline": "humint",           humint sigint imint geoint osint
 *                                         masint techint finint liaison
 *       "method": "free text",            protected method detail
 *       "reliability": "B",               Admiralty source reliability A-F
 *       "credibility": 2,                 Admiralty information credibility 1-6
 *       "originator": "identity--…",      third-party service whose consent
 *                                         is needed to pass the item on
 *       "caveats": {"noforn": true, "orcon": false, "rel_to": ["usa"]},
 *       "collected_at": "2026-01-05T10:00:00Z",
 *       "collected_where": "free text"
 *     }
 *   }
 *
 * Every property but extension_type is optional. When an object carries both
 * `credibility` and STIX `confidence`, they must agree with STIX 2.1
 * Appendix A (1 -> 80-100, 2 -> 60-79, 3 -> 40-59, 4 -> 20-39, 5 -> 0-19,
 * 6 -> confidence absent). Party codes in rel_to are node codes.
 * docs/provenance.md describes each property; the extension-definition
 * object itself is TL_PROV_EXT_JSON. Thread-safe: all functions reentrant.
 */
#ifndef TEARLINE_PROV_H
#define TEARLINE_PROV_H

#include "tearline/tearline.h"

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TL_PROV_EXT_ID "extension-definition--bb13a4a1-e6c4-4412-ad4b-bef9a3a4a9db"
/* The identity that defines tearline's extensions (created_by_ref). */
#define TL_PROJECT_IDENTITY "identity--03bc4250-2adb-4c3e-9890-6c70709b8823"

/* The extension-definition object for TL_PROV_EXT_ID, as canonical JSON. */
TL_API const char *tl_prov_extension_definition(void);

/*
 * Validates the provenance extension value ext (the object under
 * TL_PROV_EXT_ID) of an object whose STIX confidence is confidence (-1 if
 * absent). On failure writes the property path (relative to ext) to
 * prop[0..propcap) and the reason to msg[0..msgcap). Returns TL_OK or TL_ESTIX.
 */
TL_API tl_err tl_prov_validate(const json_t *ext, long confidence, char *prop, size_t propcap,
                               char *msg, size_t msgcap);

/*
 * STIX confidence for an Admiralty credibility rating (STIX 2.1 App. A):
 * 1 -> 90, 2 -> 70, 3 -> 50, 4 -> 30, 5 -> 10; 6 or anything else -> -1
 * (the property is omitted).
 */
TL_API int tl_prov_confidence(int credibility);

/* Nonzero if code is a valid party (node) code: [a-z][a-z0-9-]{1,31}. */
TL_API int tl_party_code_valid(const char *code);

#ifdef __cplusplus
}
#endif
#endif
