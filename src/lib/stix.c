/*
 * stix.c: STIX 2.1 object validation.
 *
 * The property tables below follow the STIX 2.1 specification (OS with
 * Errata 01) section by section. Each object is checked against the common
 * properties of its kind, then its own table, then the rules a table cannot
 * say (one property requires another, an end time after a start time).
 */
#include "tearline/stix.h"
#include "tearline/prov.h"

#include "buf.h"
#include "jcs.h"
#include "ts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum pkind {
    P_STR,       /* string */
    P_TS,        /* RFC 3339 timestamp */
    P_TS_MS,     /* timestamp, millisecond precision or finer */
    P_INT,       /* integer within [lo, hi] */
    P_NUM,       /* number within [lo, hi] */
    P_BOOL,      /* true or false */
    P_STRLIST,   /* non-empty list of strings */
    P_REF,       /* identifier of one of the types in arg */
    P_REFLIST,   /* non-empty list of such identifiers */
    P_DICT,      /* JSON object */
    P_OBJLIST,   /* non-empty list of JSON objects */
    P_EXTREFS,   /* external references */
    P_KILLCHAIN, /* kill chain phases */
    P_GRANULAR,  /* granular markings */
    P_EXTS,      /* extensions dictionary */
    P_HASHES,    /* hashes dictionary */
    P_ENUM,      /* one of the space-separated words in arg */
    P_ENUMLIST,  /* non-empty list of such words */
    P_SPEC,      /* spec_version: "2.1" */
};

#define REQ 1u

struct prop {
    const char *name;
    enum pkind kind;
    unsigned flags;
    const char *arg; /* reference types or enum words */
    double lo, hi;
};

/* Reference type sets: space-separated types, or the classes below. */
#define R_ANY "*"
#define R_SDO_SCO "sdo sco"
#define R_SDO "sdo"
#define R_SCO "sco"

static const struct prop common_sdo[] = {
    {"type", P_STR, REQ, NULL, 0, 0},
    {"spec_version", P_SPEC, REQ, NULL, 0, 0},
    {"id", P_STR, REQ, NULL, 0, 0},
    {"created_by_ref", P_REF, 0, "identity", 0, 0},
    {"created", P_TS_MS, REQ, NULL, 0, 0},
    {"modified", P_TS_MS, REQ, NULL, 0, 0},
    {"revoked", P_BOOL, 0, NULL, 0, 0},
    {"labels", P_STRLIST, 0, NULL, 0, 0},
    {"confidence", P_INT, 0, NULL, 0, 100},
    {"lang", P_STR, 0, NULL, 0, 0},
    {"external_references", P_EXTREFS, 0, NULL, 0, 0},
    {"object_marking_refs", P_REFLIST, 0, "marking-definition", 0, 0},
    {"granular_markings", P_GRANULAR, 0, NULL, 0, 0},
    {"extensions", P_EXTS, 0, NULL, 0, 0},
    {NULL, 0, 0, NULL, 0, 0},
};

static const struct prop common_sco[] = {
    {"type", P_STR, REQ, NULL, 0, 0},
    {"spec_version", P_SPEC, 0, NULL, 0, 0},
    {"id", P_STR, REQ, NULL, 0, 0},
    {"object_marking_refs", P_REFLIST, 0, "marking-definition", 0, 0},
    {"granular_markings", P_GRANULAR, 0, NULL, 0, 0},
    {"defanged", P_BOOL, 0, NULL, 0, 0},
    {"extensions", P_EXTS, 0, NULL, 0, 0},
    {NULL, 0, 0, NULL, 0, 0},
};

static const struct prop common_marking[] = {
    {"type", P_STR, REQ, NULL, 0, 0},
    {"spec_version", P_SPEC, REQ, NULL, 0, 0},
    {"id", P_STR, REQ, NULL, 0, 0},
    {"created_by_ref", P_REF, 0, "identity", 0, 0},
    {"created", P_TS_MS, REQ, NULL, 0, 0},
    {"external_references", P_EXTREFS, 0, NULL, 0, 0},
    {"object_marking_refs", P_REFLIST, 0, "marking-definition", 0, 0},
    {"granular_markings", P_GRANULAR, 0, NULL, 0, 0},
    {"extensions", P_EXTS, 0, NULL, 0, 0},
    {NULL, 0, 0, NULL, 0, 0},
};

#define END                                                                                        \
    {                                                                                              \
        NULL, 0, 0, NULL, 0, 0                                                                     \
    }
#define NAME_REQ                                                                                   \
    {                                                                                              \
        "name", P_STR, REQ, NULL, 0, 0                                                             \
    }
#define DESC                                                                                       \
    {                                                                                              \
        "description", P_STR, 0, NULL, 0, 0                                                        \
    }
#define ALIASES                                                                                    \
    {                                                                                              \
        "aliases", P_STRLIST, 0, NULL, 0, 0                                                        \
    }
#define KCP                                                                                        \
    {                                                                                              \
        "kill_chain_phases", P_KILLCHAIN, 0, NULL, 0, 0                                            \
    }
#define FIRST_LAST                                                                                 \
    {"first_seen", P_TS, 0, NULL, 0, 0},                                                           \
    {                                                                                              \
        "last_seen", P_TS, 0, NULL, 0, 0                                                           \
    }
#define ANY_REFS_REQ                                                                               \
    {                                                                                              \
        "object_refs", P_REFLIST, REQ, R_ANY, 0, 0                                                 \
    }
#define AUTHORS                                                                                    \
    {                                                                                              \
        "authors", P_STRLIST, 0, NULL, 0, 0                                                        \
    }
#define TSP(n)                                                                                     \
    {                                                                                              \
        n, P_TS, 0, NULL, 0, 0                                                                     \
    }
#define STRP(n)                                                                                    \
    {                                                                                              \
        n, P_STR, 0, NULL, 0, 0                                                                    \
    }
#define LISTP(n)                                                                                   \
    {                                                                                              \
        n, P_STRLIST, 0, NULL, 0, 0                                                                \
    }
#define BOOLP(n)                                                                                   \
    {                                                                                              \
        n, P_BOOL, 0, NULL, 0, 0                                                                   \
    }
#define UINTP(n)                                                                                   \
    {                                                                                              \
        n, P_INT, 0, NULL, 0, 9007199254740991.0                                                   \
    }
#define REFP(n, t)                                                                                 \
    {                                                                                              \
        n, P_REF, 0, t, 0, 0                                                                       \
    }
#define REFSP(n, t)                                                                                \
    {                                                                                              \
        n, P_REFLIST, 0, t, 0, 0                                                                   \
    }

static const struct prop p_attack_pattern[] = {NAME_REQ, DESC, ALIASES, KCP, END};
static const struct prop p_campaign[] = {NAME_REQ,          DESC, ALIASES, FIRST_LAST,
                                         STRP("objective"), END};
static const struct prop p_course_of_action[] = {NAME_REQ, DESC, END};
static const struct prop p_grouping[] = {
    STRP("name"), DESC, {"context", P_STR, REQ, NULL, 0, 0}, ANY_REFS_REQ, END};
static const struct prop p_identity[] = {NAME_REQ,
                                         DESC,
                                         LISTP("roles"),
                                         STRP("identity_class"),
                                         LISTP("sectors"),
                                         STRP("contact_information"),
                                         END};
static const struct prop p_incident[] = {NAME_REQ, DESC, KCP, END};
static const struct prop p_indicator[] = {STRP("name"),
                                          DESC,
                                          LISTP("indicator_types"),
                                          {"pattern", P_STR, REQ, NULL, 0, 0},
                                          {"pattern_type", P_STR, REQ, NULL, 0, 0},
                                          STRP("pattern_version"),
                                          {"valid_from", P_TS, REQ, NULL, 0, 0},
                                          TSP("valid_until"),
                                          KCP,
                                          END};
static const struct prop p_infrastructure[] = {
    NAME_REQ, DESC, LISTP("infrastructure_types"), ALIASES, KCP, FIRST_LAST, END};
static const struct prop p_intrusion_set[] = {NAME_REQ,
                                              DESC,
                                              ALIASES,
                                              FIRST_LAST,
                                              LISTP("goals"),
                                              STRP("resource_level"),
                                              STRP("primary_motivation"),
                                              LISTP("secondary_motivations"),
                                              END};
static const struct prop p_location[] = {STRP("name"),
                                         DESC,
                                         {"latitude", P_NUM, 0, NULL, -90, 90},
                                         {"longitude", P_NUM, 0, NULL, -180, 180},
                                         {"precision", P_NUM, 0, NULL, 0, 1e300},
                                         STRP("region"),
                                         STRP("country"),
                                         STRP("administrative_area"),
                                         STRP("city"),
                                         STRP("street_address"),
                                         STRP("postal_code"),
                                         END};
static const struct prop p_malware[] = {STRP("name"),
                                        DESC,
                                        LISTP("malware_types"),
                                        {"is_family", P_BOOL, REQ, NULL, 0, 0},
                                        ALIASES,
                                        KCP,
                                        FIRST_LAST,
                                        REFSP("operating_system_refs", "software"),
                                        LISTP("architecture_execution_envs"),
                                        LISTP("implementation_languages"),
                                        LISTP("capabilities"),
                                        REFSP("sample_refs", "file artifact"),
                                        END};
static const struct prop p_malware_analysis[] = {
    {"product", P_STR, REQ, NULL, 0, 0},
    STRP("version"),
    REFP("host_vm_ref", "software"),
    REFP("operating_system_ref", "software"),
    REFSP("installed_software_refs", "software"),
    STRP("configuration_version"),
    LISTP("modules"),
    STRP("analysis_engine_version"),
    STRP("analysis_definition_version"),
    TSP("submitted"),
    TSP("analysis_started"),
    TSP("analysis_ended"),
    STRP("result_name"),
    STRP("result"),
    REFSP("analysis_sco_refs", R_SCO),
    REFP("sample_ref", "file network-traffic artifact"),
    END};
static const struct prop p_note[] = {
    STRP("abstract"), {"content", P_STR, REQ, NULL, 0, 0}, AUTHORS, ANY_REFS_REQ, END};
static const struct prop p_observed_data[] = {
    {"first_observed", P_TS, REQ, NULL, 0, 0},           {"last_observed", P_TS, REQ, NULL, 0, 0},
    {"number_observed", P_INT, REQ, NULL, 1, 999999999}, {"objects", P_DICT, 0, NULL, 0, 0},
    REFSP("object_refs", "sco relationship sighting"),   END};
static const struct prop p_opinion[] = {
    STRP("explanation"),
    AUTHORS,
    {"opinion", P_ENUM, REQ, "strongly-disagree disagree neutral agree strongly-agree", 0, 0},
    ANY_REFS_REQ,
    END};
static const struct prop p_report[] = {
    NAME_REQ, DESC, LISTP("report_types"), {"published", P_TS, REQ, NULL, 0, 0}, ANY_REFS_REQ, END};
static const struct prop p_threat_actor[] = {NAME_REQ,
                                             DESC,
                                             LISTP("threat_actor_types"),
                                             ALIASES,
                                             FIRST_LAST,
                                             LISTP("roles"),
                                             LISTP("goals"),
                                             STRP("sophistication"),
                                             STRP("resource_level"),
                                             STRP("primary_motivation"),
                                             LISTP("secondary_motivations"),
                                             LISTP("personal_motivations"),
                                             END};
static const struct prop p_tool[] = {
    NAME_REQ, DESC, LISTP("tool_types"), ALIASES, KCP, STRP("tool_version"), END};
static const struct prop p_vulnerability[] = {NAME_REQ, DESC, END};

static const struct prop p_relationship[] = {{"relationship_type", P_STR, REQ, NULL, 0, 0},
                                             DESC,
                                             {"source_ref", P_REF, REQ, R_SDO_SCO, 0, 0},
                                             {"target_ref", P_REF, REQ, R_SDO_SCO, 0, 0},
                                             TSP("start_time"),
                                             TSP("stop_time"),
                                             END};
static const struct prop p_sighting[] = {DESC,
                                         FIRST_LAST,
                                         {"count", P_INT, 0, NULL, 0, 999999999},
                                         {"sighting_of_ref", P_REF, REQ, R_SDO, 0, 0},
                                         REFSP("observed_data_refs", "observed-data"),
                                         REFSP("where_sighted_refs", "identity location"),
                                         BOOLP("summary"),
                                         END};

static const struct prop p_marking_definition[] = {
    STRP("name"), STRP("definition_type"), {"definition", P_DICT, 0, NULL, 0, 0}, END};
static const struct prop p_extension_definition[] = {
    {"created_by_ref", P_REF, REQ, "identity", 0, 0},
    NAME_REQ,
    DESC,
    {"schema", P_STR, REQ, NULL, 0, 0},
    {"version", P_STR, REQ, NULL, 0, 0},
    {"extension_types", P_ENUMLIST, REQ,
     "new-sdo new-sco new-sro property-extension toplevel-property-extension", 0, 0},
    LISTP("extension_properties"),
    END};
static const struct prop p_language_content[] = {{"object_ref", P_REF, REQ, R_ANY, 0, 0},
                                                 TSP("object_modified"),
                                                 {"contents", P_DICT, REQ, NULL, 0, 0},
                                                 END};

static const struct prop p_artifact[] = {STRP("mime_type"),
                                         STRP("payload_bin"),
                                         STRP("url"),
                                         {"hashes", P_HASHES, 0, NULL, 0, 0},
                                         STRP("encryption_algorithm"),
                                         STRP("decryption_key"),
                                         END};
static const struct prop p_autonomous_system[] = {
    {"number", P_INT, REQ, NULL, 0, 4294967295.0}, STRP("name"), STRP("rir"), END};
static const struct prop p_directory[] = {{"path", P_STR, REQ, NULL, 0, 0},
                                          STRP("path_enc"),
                                          TSP("ctime"),
                                          TSP("mtime"),
                                          TSP("atime"),
                                          REFSP("contains_refs", "file directory"),
                                          END};
static const struct prop p_domain_name[] = {
    {"value", P_STR, REQ, NULL, 0, 0},
    REFSP("resolves_to_refs", "ipv4-addr ipv6-addr domain-name"),
    END};
static const struct prop p_email_addr[] = {{"value", P_STR, REQ, NULL, 0, 0},
                                           STRP("display_name"),
                                           REFP("belongs_to_ref", "user-account"),
                                           END};
static const struct prop p_email_message[] = {{"is_multipart", P_BOOL, REQ, NULL, 0, 0},
                                              TSP("date"),
                                              STRP("content_type"),
                                              REFP("from_ref", "email-addr"),
                                              REFP("sender_ref", "email-addr"),
                                              REFSP("to_refs", "email-addr"),
                                              REFSP("cc_refs", "email-addr"),
                                              REFSP("bcc_refs", "email-addr"),
                                              STRP("message_id"),
                                              STRP("subject"),
                                              LISTP("received_lines"),
                                              {"additional_header_fields", P_DICT, 0, NULL, 0, 0},
                                              STRP("body"),
                                              {"body_multipart", P_OBJLIST, 0, NULL, 0, 0},
                                              REFP("raw_email_ref", "artifact"),
                                              END};
static const struct prop p_file[] = {{"hashes", P_HASHES, 0, NULL, 0, 0},
                                     UINTP("size"),
                                     STRP("name"),
                                     STRP("name_enc"),
                                     STRP("magic_number_hex"),
                                     STRP("mime_type"),
                                     TSP("ctime"),
                                     TSP("mtime"),
                                     TSP("atime"),
                                     REFP("parent_directory_ref", "directory"),
                                     REFSP("contains_refs", R_SCO),
                                     REFP("content_ref", "artifact"),
                                     END};
static const struct prop p_ip_addr[] = {{"value", P_STR, REQ, NULL, 0, 0},
                                        REFSP("resolves_to_refs", "mac-addr"),
                                        REFSP("belongs_to_refs", "autonomous-system"),
                                        END};
static const struct prop p_mac_addr[] = {{"value", P_STR, REQ, NULL, 0, 0}, END};
static const struct prop p_mutex[] = {NAME_REQ, END};
static const struct prop p_network_traffic[] = {
    TSP("start"),
    TSP("end"),
    BOOLP("is_active"),
    REFP("src_ref", "ipv4-addr ipv6-addr mac-addr domain-name"),
    REFP("dst_ref", "ipv4-addr ipv6-addr mac-addr domain-name"),
    {"src_port", P_INT, 0, NULL, 0, 65535},
    {"dst_port", P_INT, 0, NULL, 0, 65535},
    {"protocols", P_STRLIST, REQ, NULL, 0, 0},
    UINTP("src_byte_count"),
    UINTP("dst_byte_count"),
    UINTP("src_packets"),
    UINTP("dst_packets"),
    {"ipfix", P_DICT, 0, NULL, 0, 0},
    REFP("src_payload_ref", "artifact"),
    REFP("dst_payload_ref", "artifact"),
    REFSP("encapsulates_refs", "network-traffic"),
    REFP("encapsulated_by_ref", "network-traffic"),
    END};
static const struct prop p_process[] = {BOOLP("is_hidden"),
                                        {"pid", P_INT, 0, NULL, 0, 9007199254740991.0},
                                        TSP("created_time"),
                                        STRP("cwd"),
                                        STRP("command_line"),
                                        {"environment_variables", P_DICT, 0, NULL, 0, 0},
                                        REFSP("opened_connection_refs", "network-traffic"),
                                        REFP("creator_user_ref", "user-account"),
                                        REFP("image_ref", "file"),
                                        REFP("parent_ref", "process"),
                                        REFSP("child_refs", "process"),
                                        END};
static const struct prop p_software[] = {
    NAME_REQ, STRP("cpe"), STRP("swid"), LISTP("languages"), STRP("vendor"), STRP("version"), END};
static const struct prop p_url[] = {{"value", P_STR, REQ, NULL, 0, 0}, END};
static const struct prop p_user_account[] = {STRP("user_id"),
                                             STRP("credential"),
                                             STRP("account_login"),
                                             STRP("account_type"),
                                             STRP("display_name"),
                                             BOOLP("is_service_account"),
                                             BOOLP("is_privileged"),
                                             BOOLP("can_escalate_privs"),
                                             BOOLP("is_disabled"),
                                             TSP("account_created"),
                                             TSP("account_expires"),
                                             TSP("credential_last_changed"),
                                             TSP("account_first_login"),
                                             TSP("account_last_login"),
                                             END};
static const struct prop p_registry_key[] = {STRP("key"),
                                             {"values", P_OBJLIST, 0, NULL, 0, 0},
                                             TSP("modified_time"),
                                             REFP("creator_user_ref", "user-account"),
                                             UINTP("number_of_subkeys"),
                                             END};
static const struct prop p_x509[] = {BOOLP("is_self_signed"),
                                     {"hashes", P_HASHES, 0, NULL, 0, 0},
                                     STRP("version"),
                                     STRP("serial_number"),
                                     STRP("signature_algorithm"),
                                     STRP("issuer"),
                                     TSP("validity_not_before"),
                                     TSP("validity_not_after"),
                                     STRP("subject"),
                                     STRP("subject_public_key_algorithm"),
                                     STRP("subject_public_key_modulus"),
                                     UINTP("subject_public_key_exponent"),
                                     {"x509_v3_extensions", P_DICT, 0, NULL, 0, 0},
                                     END};

struct tspec {
    const char *type;
    tl_stix_kind kind;
    const struct prop *props;
};

/* Sorted by type for bsearch. */
static const struct tspec types[] = {
    {"artifact", TL_STIX_SCO, p_artifact},
    {"attack-pattern", TL_STIX_SDO, p_attack_pattern},
    {"autonomous-system", TL_STIX_SCO, p_autonomous_system},
    {"campaign", TL_STIX_SDO, p_campaign},
    {"course-of-action", TL_STIX_SDO, p_course_of_action},
    {"directory", TL_STIX_SCO, p_directory},
    {"domain-name", TL_STIX_SCO, p_domain_name},
    {"email-addr", TL_STIX_SCO, p_email_addr},
    {"email-message", TL_STIX_SCO, p_email_message},
    {"extension-definition", TL_STIX_META, p_extension_definition},
    {"file", TL_STIX_SCO, p_file},
    {"grouping", TL_STIX_SDO, p_grouping},
    {"identity", TL_STIX_SDO, p_identity},
    {"incident", TL_STIX_SDO, p_incident},
    {"indicator", TL_STIX_SDO, p_indicator},
    {"infrastructure", TL_STIX_SDO, p_infrastructure},
    {"intrusion-set", TL_STIX_SDO, p_intrusion_set},
    {"ipv4-addr", TL_STIX_SCO, p_ip_addr},
    {"ipv6-addr", TL_STIX_SCO, p_ip_addr},
    {"language-content", TL_STIX_META, p_language_content},
    {"location", TL_STIX_SDO, p_location},
    {"mac-addr", TL_STIX_SCO, p_mac_addr},
    {"malware", TL_STIX_SDO, p_malware},
    {"malware-analysis", TL_STIX_SDO, p_malware_analysis},
    {"marking-definition", TL_STIX_META, p_marking_definition},
    {"mutex", TL_STIX_SCO, p_mutex},
    {"network-traffic", TL_STIX_SCO, p_network_traffic},
    {"note", TL_STIX_SDO, p_note},
    {"observed-data", TL_STIX_SDO, p_observed_data},
    {"opinion", TL_STIX_SDO, p_opinion},
    {"process", TL_STIX_SCO, p_process},
    {"relationship", TL_STIX_SRO, p_relationship},
    {"report", TL_STIX_SDO, p_report},
    {"sighting", TL_STIX_SRO, p_sighting},
    {"software", TL_STIX_SCO, p_software},
    {"threat-actor", TL_STIX_SDO, p_threat_actor},
    {"tool", TL_STIX_SDO, p_tool},
    {"url", TL_STIX_SCO, p_url},
    {"user-account", TL_STIX_SCO, p_user_account},
    {"vulnerability", TL_STIX_SDO, p_vulnerability},
    {"windows-registry-key", TL_STIX_SCO, p_registry_key},
    {"x509-certificate", TL_STIX_SCO, p_x509},
};
#define NTYPES (sizeof types / sizeof types[0])

static const struct tspec *find_type(const char *t)
{
    size_t lo = 0, hi = NTYPES;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(t, types[mid].type);
        if (c == 0) return &types[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* ---- the fixed marking definitions ---- */

struct fixed_marking {
    const char *id;
    const char *family;
    const char *level;
};

static const struct fixed_marking fixed_markings[] = {
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "tlp1", "white"},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "tlp1", "green"},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "tlp1", "amber"},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "tlp1", "red"},
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "tlp2", "clear"},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "tlp2", "green"},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "tlp2", "amber"},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "tlp2", "amber+strict"},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "tlp2", "red"},
    {"marking-definition--a3bea94c-b469-41dc-9cfe-d6e7daba7730", "pap", "white"},
    {"marking-definition--c43594d1-4b11-4c59-93ab-1c9b14d53ce9", "pap", "green"},
    {"marking-definition--60f8932b-e51e-4458-b265-a2e8be9a80ab", "pap", "amber"},
    {"marking-definition--740d36e5-7714-4c30-961a-3ae632ceee0e", "pap", "red"},
    {"marking-definition--ad15a0cd-55b6-4588-a14c-a66105329b92", "pap", "clear"},
};

#define TLP2_EXT "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
#define PAP_EXT "extension-definition--f8d78575-edfd-406e-8e84-6162a8450f5b"

int tl_stix_marking_lookup(const char *id, const char **family, const char **level)
{
    if (!id) return 0;
    for (size_t i = 0; i < sizeof fixed_markings / sizeof fixed_markings[0]; i++) {
        if (strcmp(id, fixed_markings[i].id) == 0) {
            if (family) *family = fixed_markings[i].family;
            if (level) *level = fixed_markings[i].level;
            return 1;
        }
    }
    return 0;
}

/* ---- helpers ---- */

struct vctx {
    const json_t *obj;
    const char *id;
    tl_stix_error *err;
};

__attribute__((format(printf, 3, 4))) static tl_err fail(struct vctx *c, const char *prop,
                                                         const char *fmt, ...)
{
    if (!c->err) return TL_ESTIX;
    snprintf(c->err->prop, sizeof c->err->prop, "%s", prop ? prop : "");
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (prop && *prop)
        snprintf(c->err->msg, sizeof c->err->msg, "object %s: '%s' %s", c->id ? c->id : "(no id)",
                 prop, why);
    else
        snprintf(c->err->msg, sizeof c->err->msg, "object %s: %s", c->id ? c->id : "(no id)", why);
    return TL_ESTIX;
}

static int is_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* RFC 4122 UUID text form, version 1-5, variant 10xx. */
static int uuid_valid(const char *u)
{
    static const int dash[] = {8, 13, 18, 23};
    if (strlen(u) != 36) return 0;
    for (int i = 0, d = 0; i < 36; i++) {
        if (d < 4 && i == dash[d]) {
            if (u[i] != '-') return 0;
            d++;
        } else if (!is_hex(u[i])) {
            return 0;
        }
    }
    if (u[14] < '1' || u[14] > '5') return 0;
    return strchr("89abAB", u[19]) != NULL;
}

/* [a-z0-9-], 3-250 characters, no leading or trailing '-', no "--". */
static int type_name_valid(const char *t, size_t n)
{
    if (n < 3 || n > 250 || t[0] == '-' || t[n - 1] == '-') return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = t[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return 0;
        if (ch == '-' && i + 1 < n && t[i + 1] == '-') return 0;
    }
    return 1;
}

int tl_stix_type_valid(const char *t)
{
    return t && type_name_valid(t, strlen(t));
}

int tl_stix_id_valid(const char *id)
{
    if (!id) return 0;
    const char *sep = strstr(id, "--");
    if (!sep) return 0;
    return type_name_valid(id, (size_t)(sep - id)) && uuid_valid(sep + 2);
}

/* Custom property names: [a-z0-9_], 3-250 characters. */
static int custom_prop_name_valid(const char *k, size_t n)
{
    if (n < 3 || n > 250) return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = k[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return 0;
    }
    return 1;
}

static int is_sco_type(const char *t, size_t n)
{
    char tmp[64];
    if (n >= sizeof tmp) return 0;
    memcpy(tmp, t, n);
    tmp[n] = '\0';
    const struct tspec *s = find_type(tmp);
    return s && s->kind == TL_STIX_SCO;
}

static int is_known_non_sdo(const char *t, size_t n)
{
    char tmp[64];
    if (n >= sizeof tmp) return 0;
    memcpy(tmp, t, n);
    tmp[n] = '\0';
    const struct tspec *s = find_type(tmp);
    return s && s->kind != TL_STIX_SDO;
}

/* Does the type of ref (its text before "--") belong to the set? */
static int ref_type_allowed(const char *ref, const char *set)
{
    const char *sep = strstr(ref, "--");
    if (!sep) return 0;
    size_t n = (size_t)(sep - ref);
    for (const char *w = set; *w;) {
        const char *e = strchr(w, ' ');
        size_t wn = e ? (size_t)(e - w) : strlen(w);
        if (wn == 1 && *w == '*') return 1;
        if (wn == 3 && memcmp(w, "sdo", 3) == 0 && !is_known_non_sdo(ref, n)) return 1;
        if (wn == 3 && memcmp(w, "sco", 3) == 0 && is_sco_type(ref, n)) return 1;
        if (wn == n && memcmp(w, ref, n) == 0) return 1;
        if (!e) break;
        w = e + 1;
    }
    return 0;
}

static tl_err check_ref(struct vctx *c, const char *path, const json_t *v, const char *set)
{
    if (!json_is_string(v)) return fail(c, path, "must be an identifier (type--UUID)");
    const char *s = json_string_value(v);
    if (!tl_stix_id_valid(s)) return fail(c, path, "is not an identifier (type--UUID): '%.80s'", s);
    if (set && !ref_type_allowed(s, set))
        return fail(c, path, "must refer to %s, not '%.80s'",
                    strcmp(set, R_SDO_SCO) == 0 ? "an SDO or SCO"
                    : strcmp(set, R_SDO) == 0   ? "an SDO"
                    : strcmp(set, R_SCO) == 0   ? "an SCO"
                                                : set,
                    s);
    return TL_OK;
}

static int word_in(const char *w, size_t n, const char *set)
{
    for (const char *p = set; *p;) {
        const char *e = strchr(p, ' ');
        size_t pn = e ? (size_t)(e - p) : strlen(p);
        if (pn == n && memcmp(p, w, n) == 0) return 1;
        if (!e) break;
        p = e + 1;
    }
    return 0;
}

static tl_err check_ts(struct vctx *c, const char *path, const json_t *v, int need_ms)
{
    if (!json_is_string(v)) return fail(c, path, "must be an RFC 3339 timestamp string");
    int frac;
    if (tl__ts_parse(json_string_value(v), json_string_length(v), &frac, NULL, NULL))
        return fail(c, path, "is not an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z): '%.60s'",
                    json_string_value(v));
    if (need_ms && frac < 3)
        return fail(c, path, "must be precise to the millisecond or finer: '%.60s'",
                    json_string_value(v));
    return TL_OK;
}

static int ts_cmp(const json_t *a, const json_t *b)
{
    char ka[TL_TS_KEYMAX], kb[TL_TS_KEYMAX];
    if (tl__ts_parse(json_string_value(a), json_string_length(a), NULL, NULL, ka) ||
        tl__ts_parse(json_string_value(b), json_string_length(b), NULL, NULL, kb))
        return 0;
    return strcmp(ka, kb);
}

static tl_err check_hashes(struct vctx *c, const char *path, const json_t *v)
{
    static const struct {
        const char *algo;
        size_t hexlen;
    } known[] = {{"MD5", 32},      {"SHA-1", 40},    {"SHA-256", 64},
                 {"SHA-512", 128}, {"SHA3-256", 64}, {"SHA3-512", 128}};
    if (!json_is_object(v) || json_object_size(v) == 0)
        return fail(c, path, "must be a non-empty dictionary of hash algorithm to value");
    const char *k;
    json_t *h;
    json_object_foreach(tl__json_mut(v), k, h)
    {
        char sub[160];
        snprintf(sub, sizeof sub, "%s.%s", path, k);
        if (strlen(k) > 250) return fail(c, path, "has a hash algorithm name over 250 characters");
        if (!json_is_string(h)) return fail(c, sub, "must be a string");
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
            if (strcmp(k, known[i].algo) != 0) continue;
            const char *s = json_string_value(h);
            size_t n = json_string_length(h);
            int ok = n == known[i].hexlen;
            for (size_t j = 0; ok && j < n; j++)
                ok = is_hex(s[j]);
            if (!ok) return fail(c, sub, "must be %zu hexadecimal digits", known[i].hexlen);
        }
    }
    return TL_OK;
}

static tl_err check_extrefs(struct vctx *c, const char *path, const json_t *v)
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return fail(c, path, "must be a non-empty list of external references");
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        char sub[160];
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
        if (!json_is_object(e)) return fail(c, sub, "must be an external reference object");
        const json_t *sn = json_object_get(e, "source_name");
        if (!sn) return fail(c, sub, "is missing required property 'source_name'");
        if (!json_is_string(sn)) {
            snprintf(sub, sizeof sub, "%s[%zu].source_name", path, i);
            return fail(c, sub, "must be a string");
        }
        static const char *const strs[] = {"description", "url", "external_id"};
        for (int k = 0; k < 3; k++) {
            const json_t *x = json_object_get(e, strs[k]);
            if (x && !json_is_string(x)) {
                snprintf(sub, sizeof sub, "%s[%zu].%s", path, i, strs[k]);
                return fail(c, sub, "must be a string");
            }
        }
        const json_t *h = json_object_get(e, "hashes");
        if (h) {
            snprintf(sub, sizeof sub, "%s[%zu].hashes", path, i);
            tl_err rc = check_hashes(c, sub, h);
            if (rc) return rc;
        }
    }
    return TL_OK;
}

static tl_err check_killchain(struct vctx *c, const char *path, const json_t *v)
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return fail(c, path, "must be a non-empty list of kill chain phases");
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        char sub[160];
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
        if (!json_is_object(e)) return fail(c, sub, "must be a kill chain phase object");
        if (!json_is_string(json_object_get(e, "kill_chain_name")))
            return fail(c, sub, "needs a string 'kill_chain_name'");
        if (!json_is_string(json_object_get(e, "phase_name")))
            return fail(c, sub, "needs a string 'phase_name'");
    }
    return TL_OK;
}

/*
 * Resolves a granular-marking selector ("description",
 * "external_references.[0].source_name") against obj.
 */
int tl_stix_selector_resolves(const json_t *obj, const char *sel)
{
    const json_t *cur = obj;
    const char *p = sel;
    if (!*p) return 0;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n == 0) return 0;
        if (p[0] == '[') {
            if (n < 3 || p[n - 1] != ']' || !json_is_array(cur)) return 0;
            size_t idx = 0;
            for (size_t i = 1; i + 1 < n; i++) {
                if (p[i] < '0' || p[i] > '9' || idx > 100000000) return 0;
                idx = idx * 10 + (size_t)(p[i] - '0');
            }
            cur = json_array_get(cur, idx);
        } else {
            if (!json_is_object(cur)) return 0;
            cur = json_object_getn(cur, p, n);
        }
        if (!cur) return 0;
        p += n;
        if (*p == '.') {
            p++;
            if (!*p) return 0;
        }
    }
    return 1;
}

static tl_err check_granular(struct vctx *c, const char *path, const json_t *v)
{
    if (!json_is_array(v) || json_array_size(v) == 0)
        return fail(c, path, "must be a non-empty list of granular markings");
    size_t i;
    json_t *g;
    json_array_foreach(v, i, g)
    {
        char sub[160];
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
        if (!json_is_object(g)) return fail(c, sub, "must be a granular marking object");
        const json_t *mr = json_object_get(g, "marking_ref");
        const json_t *lang = json_object_get(g, "lang");
        if (!!mr == !!lang)
            return fail(c, sub, "must have exactly one of 'marking_ref' and 'lang'");
        if (mr) {
            snprintf(sub, sizeof sub, "%s[%zu].marking_ref", path, i);
            tl_err rc = check_ref(c, sub, mr, "marking-definition");
            if (rc) return rc;
        } else if (!json_is_string(lang)) {
            snprintf(sub, sizeof sub, "%s[%zu].lang", path, i);
            return fail(c, sub, "must be a string");
        }
        const json_t *sels = json_object_get(g, "selectors");
        snprintf(sub, sizeof sub, "%s[%zu].selectors", path, i);
        if (!json_is_array(sels) || json_array_size(sels) == 0)
            return fail(c, sub, "must be a non-empty list of selectors");
        size_t j;
        json_t *s;
        json_array_foreach(sels, j, s)
        {
            snprintf(sub, sizeof sub, "%s[%zu].selectors[%zu]", path, i, j);
            if (!json_is_string(s)) return fail(c, sub, "must be a string");
            if (!tl_stix_selector_resolves(c->obj, json_string_value(s)))
                return fail(c, sub, "selects '%.80s', which is not in the object",
                            json_string_value(s));
        }
    }
    return TL_OK;
}

static const char *const predefined_exts[] = {
    "archive-ext",
    "ntfs-ext",
    "pdf-ext",
    "raster-image-ext",
    "windows-pebinary-ext",
    "http-request-ext",
    "icmp-ext",
    "socket-ext",
    "tcp-ext",
    "unix-account-ext",
    "windows-process-ext",
    "windows-service-ext",
};

static tl_err check_extensions(struct vctx *c, const char *path, const json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) == 0)
        return fail(c, path, "must be a non-empty dictionary of extensions");
    const char *k;
    json_t *e;
    json_object_foreach(tl__json_mut(v), k, e)
    {
        char sub[160];
        snprintf(sub, sizeof sub, "%s.%s", path, k);
        if (!json_is_object(e)) return fail(c, sub, "must be an extension object");
        if (strncmp(k, "extension-definition--", 22) == 0) {
            if (!tl_stix_id_valid(k))
                return fail(c, path, "key '%.80s' is not an extension-definition identifier", k);
            const json_t *et = json_object_get(e, "extension_type");
            if (et &&
                (!json_is_string(et) || !word_in(json_string_value(et), json_string_length(et),
                                                 "new-sdo new-sco new-sro property-extension "
                                                 "toplevel-property-extension")))
                return fail(c, sub, "has an unknown 'extension_type'");
            if (strcmp(k, TL_PROV_EXT_ID) == 0) {
                const json_t *conf = json_object_get(c->obj, "confidence");
                char prop[120], msg[300];
                if (tl_prov_validate(e, json_is_integer(conf) ? (long)json_integer_value(conf) : -1,
                                     prop, sizeof prop, msg, sizeof msg)) {
                    char full[300];
                    snprintf(full, sizeof full, "%s%s%s", sub, *prop ? "." : "", prop);
                    return fail(c, full, "%s", msg);
                }
            }
            continue;
        }
        int known = 0;
        for (size_t i = 0; i < sizeof predefined_exts / sizeof predefined_exts[0]; i++)
            known |= strcmp(k, predefined_exts[i]) == 0;
        if (!known && !(strncmp(k, "x-", 2) == 0 && type_name_valid(k, strlen(k))))
            return fail(c, path,
                        "key '%.80s' is neither an extension-definition id, a predefined "
                        "extension nor a custom 'x-' extension",
                        k);
    }
    return TL_OK;
}

static tl_err check_list(struct vctx *c, const char *path, const json_t *v, const char *what)
{
    if (!json_is_array(v)) return fail(c, path, "must be a list of %s", what);
    if (json_array_size(v) == 0) return fail(c, path, "must not be an empty list");
    return TL_OK;
}

static tl_err check_prop(struct vctx *c, const struct prop *p, const json_t *v)
{
    const char *path = p->name;
    size_t i;
    json_t *e;
    tl_err rc;
    switch (p->kind) {
    case P_STR:
        if (!json_is_string(v)) return fail(c, path, "must be a string");
        return TL_OK;
    case P_SPEC:
        if (!json_is_string(v) || strcmp(json_string_value(v), "2.1") != 0)
            return fail(c, path, "must be \"2.1\"");
        return TL_OK;
    case P_TS:
        return check_ts(c, path, v, 0);
    case P_TS_MS:
        return check_ts(c, path, v, 1);
    case P_INT:
        if (!json_is_integer(v)) return fail(c, path, "must be an integer");
        if ((double)json_integer_value(v) < p->lo || (double)json_integer_value(v) > p->hi)
            return fail(c, path, "must be an integer from %.0f to %.0f, not %lld", p->lo, p->hi,
                        (long long)json_integer_value(v));
        return TL_OK;
    case P_NUM:
        if (!json_is_number(v)) return fail(c, path, "must be a number");
        if (json_number_value(v) < p->lo || json_number_value(v) > p->hi)
            return fail(c, path, "must be a number from %g to %g", p->lo, p->hi);
        return TL_OK;
    case P_BOOL:
        if (!json_is_boolean(v)) return fail(c, path, "must be true or false");
        return TL_OK;
    case P_STRLIST:
        if ((rc = check_list(c, path, v, "strings"))) return rc;
        json_array_foreach(v, i, e)
        {
            if (!json_is_string(e)) {
                char sub[160];
                snprintf(sub, sizeof sub, "%s[%zu]", path, i);
                return fail(c, sub, "must be a string");
            }
        }
        return TL_OK;
    case P_REF:
        return check_ref(c, path, v, p->arg);
    case P_REFLIST:
        if ((rc = check_list(c, path, v, "identifiers"))) return rc;
        json_array_foreach(v, i, e)
        {
            char sub[160];
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if ((rc = check_ref(c, sub, e, p->arg))) return rc;
        }
        return TL_OK;
    case P_DICT:
        if (!json_is_object(v)) return fail(c, path, "must be a dictionary");
        return TL_OK;
    case P_OBJLIST:
        if ((rc = check_list(c, path, v, "objects"))) return rc;
        json_array_foreach(v, i, e)
        {
            if (!json_is_object(e)) {
                char sub[160];
                snprintf(sub, sizeof sub, "%s[%zu]", path, i);
                return fail(c, sub, "must be an object");
            }
        }
        return TL_OK;
    case P_EXTREFS:
        return check_extrefs(c, path, v);
    case P_KILLCHAIN:
        return check_killchain(c, path, v);
    case P_GRANULAR:
        return check_granular(c, path, v);
    case P_EXTS:
        return check_extensions(c, path, v);
    case P_HASHES:
        return check_hashes(c, path, v);
    case P_ENUM:
        if (!json_is_string(v) || !word_in(json_string_value(v), json_string_length(v), p->arg))
            return fail(c, path, "must be one of: %s", p->arg);
        return TL_OK;
    case P_ENUMLIST:
        if ((rc = check_list(c, path, v, "strings"))) return rc;
        json_array_foreach(v, i, e)
        {
            if (!json_is_string(e) ||
                !word_in(json_string_value(e), json_string_length(e), p->arg)) {
                char sub[160];
                snprintf(sub, sizeof sub, "%s[%zu]", path, i);
                return fail(c, sub, "must be one of: %s", p->arg);
            }
        }
        return TL_OK;
    }
    return TL_OK;
}

static const struct prop *find_prop(const struct prop *tab, const char *name)
{
    for (; tab && tab->name; tab++)
        if (strcmp(tab->name, name) == 0) return tab;
    return NULL;
}

static tl_err check_required(struct vctx *c, const struct prop *tab)
{
    for (; tab->name; tab++)
        if ((tab->flags & REQ) && !json_object_get(c->obj, tab->name))
            return fail(c, tab->name, "is required but missing");
    return TL_OK;
}

/* ---- rules a table cannot say ---- */

static int has(const json_t *o, const char *k)
{
    return json_object_get(o, k) != NULL;
}

static tl_err ordered(struct vctx *c, const char *early, const char *late, int strict)
{
    const json_t *a = json_object_get(c->obj, early), *b = json_object_get(c->obj, late);
    if (!a || !b) return TL_OK;
    int cmp = ts_cmp(b, a);
    if (cmp < 0 || (strict && cmp == 0))
        return fail(c, late, "must be %s '%s'", strict ? "later than" : "no earlier than", early);
    return TL_OK;
}

static tl_err check_marking_definition(struct vctx *c)
{
    const char *family, *level;
    const json_t *o = c->obj;
    const json_t *dt = json_object_get(o, "definition_type");
    const json_t *def = json_object_get(o, "definition");
    if (!!dt != !!def)
        return fail(c, dt ? "definition" : "definition_type", "must be present together with '%s'",
                    dt ? "definition_type" : "definition");
    if (!def && !has(o, "extensions"))
        return fail(c, "",
                    "a marking-definition needs 'extensions' or 'definition_type' and "
                    "'definition'");
    const json_t *omr = json_object_get(o, "object_marking_refs");
    size_t i;
    json_t *e;
    json_array_foreach(omr, i, e)
    {
        if (json_is_string(e) && strcmp(json_string_value(e), c->id) == 0)
            return fail(c, "object_marking_refs", "must not refer to the marking itself");
    }
    int fixed = tl_stix_marking_lookup(c->id, &family, &level);
    if (json_is_string(dt) && strcmp(json_string_value(dt), "tlp") == 0) {
        if (!fixed || strcmp(family, "tlp1") != 0)
            return fail(c, "id",
                        "is not one of the four TLP 1.0 marking definitions; no other "
                        "TLP instance may be created");
    }
    if (!fixed) return TL_OK;
    if (strcmp(family, "tlp1") == 0) {
        const json_t *t = json_object_get(def, "tlp");
        if (!dt || strcmp(json_string_value(dt), "tlp") != 0 || !json_is_string(t) ||
            strcmp(json_string_value(t), level) != 0)
            return fail(c, "definition", "must be {\"tlp\": \"%s\"} for this fixed TLP 1.0 id",
                        level);
        if (!json_is_string(json_object_get(o, "created")) ||
            strcmp(json_string_value(json_object_get(o, "created")), "2017-01-20T00:00:00.000Z") !=
                0)
            return fail(c, "created", "must be 2017-01-20T00:00:00.000Z for TLP 1.0");
        return TL_OK;
    }
    const char *ext = strcmp(family, "tlp2") == 0 ? TLP2_EXT : PAP_EXT;
    const char *prop = strcmp(family, "tlp2") == 0 ? "tlp_2_0" : "pap";
    const json_t *x = json_object_get(json_object_get(o, "extensions"), ext);
    const json_t *lv = json_object_get(x, prop);
    if (!json_is_string(lv) || strcasecmp(json_string_value(lv), level) != 0)
        return fail(c, "extensions", "must carry %s with %s \"%s\" for this fixed id", ext, prop,
                    level);
    return TL_OK;
}

static tl_err check_rules(struct vctx *c, const char *type)
{
    const json_t *o = c->obj;
    tl_err rc = TL_OK;
    if (!strcmp(type, "campaign") || !strcmp(type, "infrastructure") ||
        !strcmp(type, "intrusion-set") || !strcmp(type, "threat-actor") ||
        !strcmp(type, "sighting"))
        rc = ordered(c, "first_seen", "last_seen", 0);
    else if (!strcmp(type, "indicator"))
        rc = ordered(c, "valid_from", "valid_until", 1);
    else if (!strcmp(type, "relationship"))
        rc = ordered(c, "start_time", "stop_time", 1);
    else if (!strcmp(type, "network-traffic")) {
        if (!has(o, "src_ref") && !has(o, "dst_ref"))
            rc = fail(c, "", "a network-traffic needs 'src_ref' or 'dst_ref'");
        else
            rc = ordered(c, "start", "end", 0);
    } else if (!strcmp(type, "observed-data")) {
        if (has(o, "objects") == has(o, "object_refs"))
            rc = fail(c, "object_refs", "must be present when 'objects' is not (and not both)");
        else
            rc = ordered(c, "first_observed", "last_observed", 0);
    } else if (!strcmp(type, "location")) {
        int lat = has(o, "latitude"), lon = has(o, "longitude");
        if (lat != lon)
            rc = fail(c, lat ? "longitude" : "latitude", "is required with '%s'",
                      lat ? "latitude" : "longitude");
        else if (has(o, "precision") && !lat)
            rc = fail(c, "precision", "needs 'latitude' and 'longitude'");
        else if (!lat && !has(o, "region") && !has(o, "country"))
            rc = fail(c, "", "a location needs 'region', 'country', or 'latitude' and 'longitude'");
    } else if (!strcmp(type, "malware")) {
        const json_t *f = json_object_get(o, "is_family");
        if (json_is_true(f) && !has(o, "name"))
            rc = fail(c, "name", "is required when 'is_family' is true");
        if (!rc) rc = ordered(c, "first_seen", "last_seen", 0);
    } else if (!strcmp(type, "malware-analysis")) {
        if (!has(o, "result") && !has(o, "analysis_sco_refs"))
            rc = fail(c, "result", "or 'analysis_sco_refs' is required");
    } else if (!strcmp(type, "file")) {
        if (!has(o, "hashes") && !has(o, "name"))
            rc = fail(c, "", "a file needs 'hashes' or 'name'");
    } else if (!strcmp(type, "artifact")) {
        if (has(o, "payload_bin") && has(o, "url"))
            rc = fail(c, "url", "must not be present with 'payload_bin'");
        else if (has(o, "url") && !has(o, "hashes"))
            rc = fail(c, "hashes", "is required with 'url'");
    } else if (!strcmp(type, "email-message")) {
        int multi = json_is_true(json_object_get(o, "is_multipart"));
        if (multi && has(o, "body"))
            rc = fail(c, "body", "must not be present when 'is_multipart' is true");
        else if (!multi && has(o, "body_multipart"))
            rc = fail(c, "body_multipart", "must not be present when 'is_multipart' is false");
    } else if (!strcmp(type, "extension-definition")) {
        const json_t *et = json_object_get(o, "extension_types");
        int top = 0;
        size_t i;
        json_t *e;
        json_array_foreach(et, i, e) top |=
            !strcmp(json_string_value(e), "toplevel-property-extension");
        if (has(o, "extension_properties") && !top)
            rc = fail(c, "extension_properties",
                      "is only allowed with extension type 'toplevel-property-extension'");
    } else if (!strcmp(type, "marking-definition")) {
        rc = check_marking_definition(c);
    }
    return rc;
}

/* Every custom *_ref / *_refs property, at any depth of a custom property, is an identifier. */
static tl_err check_custom_value(struct vctx *c, const char *path, const char *key, const json_t *v)
{
    size_t kn = strlen(key);
    if (kn > 4 && strcmp(key + kn - 4, "_ref") == 0) return check_ref(c, path, v, NULL);
    if (kn > 5 && strcmp(key + kn - 5, "_refs") == 0) {
        if (!json_is_array(v)) return fail(c, path, "must be a list of identifiers");
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            char sub[160];
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            tl_err rc = check_ref(c, sub, e, NULL);
            if (rc) return rc;
        }
    }
    return TL_OK;
}

tl_err tl_stix_validate(const json_t *obj, tl_stix_info *info, tl_stix_error *err)
{
    struct vctx c = {obj, NULL, err};
    if (err) err->prop[0] = err->msg[0] = '\0';
    if (!json_is_object(obj)) return fail(&c, "", "is not a JSON object");

    const json_t *idv = json_object_get(obj, "id");
    if (json_is_string(idv)) c.id = json_string_value(idv);
    const json_t *tv = json_object_get(obj, "type");
    if (!tv) return fail(&c, "type", "is required but missing");
    if (!json_is_string(tv)) return fail(&c, "type", "must be a string");
    const char *type = json_string_value(tv);
    if (!type_name_valid(type, json_string_length(tv)))
        return fail(&c, "type",
                    "'%.80s' is not a valid type name ([a-z0-9-], 3-250 characters, no '--')",
                    type);
    if (!strcmp(type, "bundle"))
        return fail(&c, "type", "a bundle is a container, not an object to store");
    if (!idv) return fail(&c, "id", "is required but missing");
    if (!c.id) return fail(&c, "id", "must be a string");
    size_t tlen = strlen(type);
    if (strncmp(c.id, type, tlen) != 0 || strncmp(c.id + tlen, "--", 2) != 0)
        return fail(&c, "id", "must start with the object's type '%s--'", type);
    if (!uuid_valid(c.id + tlen + 2))
        return fail(&c, "id", "does not end in an RFC 4122 UUID: '%.80s'", c.id);

    const struct tspec *ts = find_type(type);
    tl_stix_kind kind;
    const struct prop *common;
    if (ts) {
        kind = ts->kind;
    } else {
        /* A custom object is SDO-shaped if it is versioned, SCO-shaped otherwise. */
        kind = has(obj, "created") || has(obj, "modified") ? TL_STIX_SDO : TL_STIX_SCO;
    }
    if (ts && !strcmp(type, "marking-definition"))
        common = common_marking;
    else
        common = kind == TL_STIX_SCO ? common_sco : common_sdo;

    tl_err rc = check_required(&c, common);
    if (!rc && ts) rc = check_required(&c, ts->props);
    if (rc) return rc;

    const char *key;
    json_t *v;
    json_object_foreach(tl__json_mut(obj), key, v)
    {
        const struct prop *p = find_prop(common, key);
        if (!p && ts) p = find_prop(ts->props, key);
        if (p) {
            if ((rc = check_prop(&c, p, v))) return rc;
            continue;
        }
        if (!strcmp(key, "type") || !strcmp(key, "id")) continue;
        if (!custom_prop_name_valid(key, strlen(key)))
            return fail(&c, key, "is not a valid property name ([a-z0-9_], 3-250 characters)");
        if ((rc = check_custom_value(&c, key, key, v))) return rc;
    }

    const json_t *cr = json_object_get(obj, "created"), *md = json_object_get(obj, "modified");
    if (cr && md && ts_cmp(md, cr) < 0)
        return fail(&c, "modified", "must not be earlier than 'created'");
    if (ts && (rc = check_rules(&c, type))) return rc;

    if (info) {
        memset(info, 0, sizeof *info);
        info->type = type;
        info->id = c.id;
        info->kind = kind;
        info->custom = ts == NULL;
        info->revoked = json_is_true(json_object_get(obj, "revoked"));
        const json_t *ver = md ? md : cr;
        if (json_is_string(ver))
            tl__ts_parse(json_string_value(ver), json_string_length(ver), NULL, NULL,
                         info->version);
        if (json_is_string(cr))
            tl__ts_parse(json_string_value(cr), json_string_length(cr), NULL, NULL, info->created);
    }
    return TL_OK;
}
