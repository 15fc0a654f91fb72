/* The reading child's scanner of .xlsx sheet XML (issue 11 point 1; docs/ingest.md §8 "The native scanner").
 *
 * It turns a worksheet's inflated XML into typed Arrow-ready columns without a Python object per cell, with the
 * values python-calamine 0.9.1 gives (calamine's cell rules: cells_reader.rs read_value/read_v, formats.rs,
 * datatype.rs as_datetime; python-calamine's CellValue conversion) - the reading child (read.py) calls it for
 * .xlsx files and falls back to python-calamine itself whenever this scanner meets anything outside the plain
 * subset it knows (raising Unsupported): a namespace prefix, a comment or CDATA, an entity it does not know, a
 * `_xHHHH_` escape, a text whose surrounding blanks calamine's version might trim, a number it cannot read
 * strictly, cells out of order, ISO dates (t="d"), an error code calamine does not know...
 *
 * Untrusted input: every read is bounded by the buffer's end, every size is checked before it is used, and the
 * child runs it under its memory and time caps. The GIL is released during the scan.
 *
 * Cell kinds are cells.py's: K_NONE 0, K_STR 1, K_FLOAT 2, K_BOOL 4, K_DATETIME 5, K_DATE 6, K_TIME 7, K_DELTA 8,
 * K_ERROR 9; K_EMPTYSTR (10) is calamine's String(""), which counts for the sheet's extent but is no value.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { K_NONE = 0, K_STR = 1, K_FLOAT = 2, K_BOOL = 4, K_DATETIME = 5, K_DATE = 6, K_TIME = 7, K_DELTA = 8,
       K_ERROR = 9, K_EMPTYSTR = 10, N_KINDS = 11 };
enum { F_OTHER = 0, F_DATETIME = 1, F_TIMEDELTA = 2 };

static PyObject *Unsupported;

typedef struct { char *d; size_t n, cap; } Buf;

static int buf_reserve(Buf *b, size_t more) {   /* room for `more` bytes */
    if (b->n + more <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + more) {
        if (cap > ((size_t)1 << 40)) return 0;
        cap *= 2;
    }
    char *d = realloc(b->d, cap);
    if (!d) return 0;
    b->d = d;
    b->cap = cap;
    return 1;
}

static inline int buf_put(Buf *b, const void *src, size_t n) {
    if (!n) return 1;
    if (b->n + n > b->cap && !buf_reserve(b, n)) return 0;
    memcpy(b->d + b->n, src, n);
    b->n += n;
    return 1;
}

/* --- errors: a reason for Unsupported (the fallback), or out of memory --------------------------------------- */

typedef struct { const char *why; int nomem; } Err;

#define FAIL(e, msg) do { (e)->why = (msg); return NULL; } while (0)

/* --- tags ---------------------------------------------------------------------------------------------------- */

typedef struct {
    const char *name; size_t nlen;
    int closing, selfclose;
    const char *attrs, *attrs_end;   /* the text between the name and '>' or '/>' */
    const char *next;                /* just after the tag */
} Tag;

static int is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
           || c == '.' || c == ':';
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* p points at '<'. Returns 1 and fills t, or 0 (malformed, a comment, CDATA, a processing instruction, a prefix). */
static int parse_tag(const char *p, const char *end, Tag *t) {
    const char *q = p + 1;
    if (q >= end) return 0;
    t->closing = 0;
    if (*q == '/') { t->closing = 1; q++; }
    t->name = q;
    while (q < end && is_name_char(*q)) {
        if (*q == ':') return 0;                    /* a namespace prefix: calamine matches local names */
        q++;
    }
    t->nlen = (size_t)(q - t->name);
    if (!t->nlen || q >= end) return 0;
    t->attrs = q;
    t->selfclose = 0;
    for (;;) {
        while (q < end && is_ws(*q)) q++;
        if (q >= end) return 0;
        if (*q == '>') { t->attrs_end = q; t->next = q + 1; return 1; }
        if (*q == '/') {
            if (q + 1 < end && q[1] == '>' && !t->closing) {
                t->attrs_end = q; t->selfclose = 1; t->next = q + 2; return 1;
            }
            return 0;
        }
        if (t->closing) return 0;
        if (q == t->attrs || !is_ws(q[-1])) return 0;    /* attributes are separated by blanks */
        while (q < end && is_name_char(*q)) q++;         /* attribute names may have prefixes (xml:space) */
        while (q < end && is_ws(*q)) q++;
        if (q >= end || *q != '=') return 0;
        q++;
        while (q < end && is_ws(*q)) q++;
        if (q >= end || (*q != '"' && *q != '\'')) return 0;
        const char *close = memchr(q + 1, *q, (size_t)(end - q - 1));
        if (!close) return 0;
        q = close + 1;
    }
}

static int name_is_n(const Tag *t, const char *name, size_t n) {
    return t->nlen == n && memcmp(t->name, name, n) == 0;
}
#define name_is(t, lit) name_is_n((t), "" lit, sizeof("" lit) - 1)   /* string literals only */

/* The next tag at or after *p: 1 with *t filled and *p moved past it; 0 when no '<' is left; -1 when the text at
 * the '<' is not a tag we read. */
static int next_tag(const char **p, const char *end, Tag *t) {
    const char *lt = memchr(*p, '<', (size_t)(end - *p));
    if (!lt) return 0;
    if (!parse_tag(lt, end, t)) return -1;
    *p = t->next;
    return 1;
}

/* The end of an element's text content: where `closing` (e.g. "</v>") starts, which must be the next '<'; NULL when it
 * is not. */
static const char *content_end(const char *p, const char *end, const char *closing) {
    size_t n = strlen(closing);
    const char *lt = memchr(p, '<', (size_t)(end - p));
    if (!lt || (size_t)(end - lt) < n || memcmp(lt, closing, n)) return NULL;
    return lt;
}

/* The next attribute of a tag from *q (t->attrs at first; the tag was checked by parse_tag): 1 with its name and
 * value (without quotes) and *q moved past it, 0 when there is none left. */
static int next_attr(const Tag *t, const char **q, const char **name, size_t *nlen, const char **val, size_t *vlen) {
    const char *p = *q;
    while (p < t->attrs_end && is_ws(*p)) p++;
    const char *an = p;
    while (p < t->attrs_end && is_name_char(*p)) p++;
    *name = an;
    *nlen = (size_t)(p - an);
    while (p < t->attrs_end && *p != '"' && *p != '\'') p++;
    if (p >= t->attrs_end) return 0;
    const char *close = memchr(p + 1, *p, (size_t)(t->attrs_end - p - 1));
    if (!close) return 0;
    *val = p + 1;
    *vlen = (size_t)(close - p - 1);
    *q = close + 1;
    return 1;
}

/* The value of attribute `name` (no prefix) of a tag, or NULL. */
static const char *get_attr(const Tag *t, const char *name, size_t *len) {
    size_t n = strlen(name), alen;
    const char *q = t->attrs, *an, *v;
    while (next_attr(t, &q, &an, &alen, &v, len))
        if (alen == n && memcmp(an, name, n) == 0) return v;
    return NULL;
}

/* The r, s and t attributes of a <c> tag in one pass. */
static void cell_attrs(const Tag *t, const char **r, size_t *rl, const char **s, size_t *sl, const char **ty,
                       size_t *tl) {
    size_t alen, n;
    const char *q = t->attrs, *an, *v;
    while (next_attr(t, &q, &an, &alen, &v, &n)) {
        if (alen != 1) continue;
        if (*an == 'r') { *r = v; *rl = n; }
        else if (*an == 's') { *s = v; *sl = n; }
        else if (*an == 't') { *ty = v; *tl = n; }
    }
}

/* --- text -------------------------------------------------------------------------------------------------- */

static int put_utf8(Buf *b, uint32_t cp) {
    unsigned char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (unsigned char)cp; n = 1; }
    else if (cp < 0x800) { u[0] = 0xC0 | (cp >> 6); u[1] = 0x80 | (cp & 0x3F); n = 2; }
    else if (cp < 0x10000) { u[0] = 0xE0 | (cp >> 12); u[1] = 0x80 | ((cp >> 6) & 0x3F); u[2] = 0x80 | (cp & 0x3F); n = 3; }
    else { u[0] = 0xF0 | (cp >> 18); u[1] = 0x80 | ((cp >> 12) & 0x3F); u[2] = 0x80 | ((cp >> 6) & 0x3F);
           u[3] = 0x80 | (cp & 0x3F); n = 4; }
    return buf_put(b, u, n);
}

/* Text content [p, end) (no '<' in it) decoded into b: the five named entities and character references.
 * Returns 1, 0 (unsupported: an unknown entity, a CR, a _xHHHH_ escape) or -1 (out of memory). */
static int decode_text(const char *p, const char *end, Buf *b) {
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if (memchr(p, '\r', (size_t)(stop - p))) return 0;         /* calamine normalises line ends */
        if (!buf_put(b, p, (size_t)(stop - p))) return -1;
        if (!amp) break;
        const char *semi = memchr(amp, ';', (size_t)(end - amp));
        if (!semi || semi - amp > 12) return 0;
        size_t n = (size_t)(semi - amp - 1);
        const char *e = amp + 1;
        char c = 0;
        if (n == 3 && !memcmp(e, "amp", 3)) c = '&';
        else if (n == 2 && !memcmp(e, "lt", 2)) c = '<';
        else if (n == 2 && !memcmp(e, "gt", 2)) c = '>';
        else if (n == 4 && !memcmp(e, "quot", 4)) c = '"';
        else if (n == 4 && !memcmp(e, "apos", 4)) c = '\'';
        if (c) {
            if (!buf_put(b, &c, 1)) return -1;
        } else if (n >= 2 && e[0] == '#') {
            uint32_t cp = 0;
            int hex = e[1] == 'x';
            const char *d = e + 1 + hex;
            if (d >= semi) return 0;
            for (; d < semi; d++) {
                int v;
                if (*d >= '0' && *d <= '9') v = *d - '0';
                else if (hex && *d >= 'a' && *d <= 'f') v = *d - 'a' + 10;
                else if (hex && *d >= 'A' && *d <= 'F') v = *d - 'A' + 10;
                else return 0;
                cp = cp * (hex ? 16 : 10) + (uint32_t)v;
                if (cp > 0x10FFFF) return 0;
            }
            if (cp == 0 || cp == '\r' || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
            if (!put_utf8(b, cp)) return -1;
        } else {
            return 0;
        }
        p = semi + 1;
    }
    return 1;
}

/* Does [p, end) hold an escape such as _x000D_ (which calamine decodes)? */
static int has_x_escape(const char *p, const char *end) {
    for (const char *q = p; q + 7 <= end; q++) {
        q = memchr(q, '_', (size_t)(end - q));
        if (!q || q + 7 > end) return 0;
        if (q[1] == 'x' && q[6] == '_') {
            int ok = 1;
            for (int i = 2; i < 6; i++) {
                char c = q[i];
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) ok = 0;
            }
            if (ok) return 1;
        }
    }
    return 0;
}

/* A rich string: the <t> texts inside <si>…</si> or <is>…</is> (p just after the opening tag), runs <r>
 * concatenated, phonetic runs <rPh> left out, other elements (run properties) ignored - as calamine's
 * read_string. The decoded text goes to b. Returns the position after the closing tag, or NULL. */
static const char *read_rich(const char *p, const char *end, const char *closing, Buf *b, Err *err) {
    int phonetic = 0;
    for (;;) {
        Tag t;
        int got = next_tag(&p, end, &t);
        if (!got) FAIL(err, "unterminated string");
        if (got < 0) FAIL(err, "tag in a string");
        if (t.closing) {
            if (name_is_n(&t, closing, strlen(closing))) return p;
            if (name_is(&t, "rPh")) phonetic = 0;
            continue;
        }
        if (name_is(&t, "rPh")) {
            if (t.selfclose) FAIL(err, "empty rPh");
            phonetic = 1;
        } else if (name_is(&t, "t")) {
            if (t.selfclose) FAIL(err, "empty t");
            const char *lt2 = content_end(p, end, "</t>");
            if (!lt2) FAIL(err, "t content");
            if (!phonetic) {
                size_t vl;
                const char *sp = get_attr(&t, "xml:space", &vl);
                int preserve = sp && vl == 8 && !memcmp(sp, "preserve", 8);
                size_t start = b->n;
                int r = decode_text(p, lt2, b);
                if (r < 0) { err->nomem = 1; return NULL; }
                if (!r) FAIL(err, "text");
                if (has_x_escape(b->d + start, b->d + b->n)) FAIL(err, "x escape");
                if (!preserve && b->n > start) {            /* blanks calamine's version may trim */
                    char c0 = b->d[start], c1 = b->d[b->n - 1];
                    if (is_ws(c0) || is_ws(c1)) FAIL(err, "blank ends");
                }
            }
            p = lt2 + 4;
        } else if (t.selfclose || name_is(&t, "r") || name_is(&t, "rPr") || name_is(&t, "phoneticPr")) {
            /* run properties and their children, runs: nothing to keep */
        } else if (name_is(&t, "b") || name_is(&t, "i") || name_is(&t, "u") || name_is(&t, "sz")
                   || name_is(&t, "color") || name_is(&t, "rFont") || name_is(&t, "family")
                   || name_is(&t, "charset") || name_is(&t, "scheme") || name_is(&t, "strike")
                   || name_is(&t, "vertAlign") || name_is(&t, "outline") || name_is(&t, "shadow")
                   || name_is(&t, "condense") || name_is(&t, "extend")) {
        } else {
            FAIL(err, "element in a string");
        }
    }
}

/* --- shared strings ---------------------------------------------------------------------------------------- */

/* The root element's name must be `root` with no prefix; returns the position after its start tag or NULL. */
static const char *root(const char *p, const char *end, const char *name, int *empty, Err *err) {
    for (;;) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt || lt + 1 >= end) FAIL(err, "no root");
        if (lt[1] == '?') {
            const char *q = lt + 2;
            for (;;) {
                q = memchr(q, '?', (size_t)(end - q));
                if (!q || q + 1 >= end) FAIL(err, "declaration");
                if (q[1] == '>') break;
                q++;
            }
            p = q + 2;
            continue;
        }
        Tag t;
        if (!parse_tag(lt, end, &t) || t.closing || !name_is_n(&t, name, strlen(name))) FAIL(err, "root");
        *empty = t.selfclose;
        return t.next;
    }
}

static PyObject *raise_err(Err *e) {
    if (e->nomem) return PyErr_NoMemory();
    PyErr_SetString(Unsupported, e->why ? e->why : "unsupported");
    return NULL;
}

static const char *scan_sst(const char *p, const char *end, Buf *offs, Buf *b, Err *err) {
    int empty = 0;
    p = root(p, end, "sst", &empty, err);
    if (!p) return NULL;
    int32_t o = 0;
    if (!buf_put(offs, &o, 4)) { err->nomem = 1; return NULL; }
    if (empty) return p;                            /* <sst count="0"/> */
    for (;;) {
        Tag t;
        int got = next_tag(&p, end, &t);
        if (!got) FAIL(err, "unterminated sst");
        if (got < 0) FAIL(err, "tag in sst");
        if (t.closing && name_is(&t, "sst")) return p;
        if (t.closing || t.selfclose || !name_is(&t, "si")) FAIL(err, "element in sst");
        p = read_rich(p, end, "si", b, err);
        if (!p) return NULL;
        if (b->n > INT32_MAX) FAIL(err, "strings too long");
        o = (int32_t)b->n;
        if (!buf_put(offs, &o, 4)) { err->nomem = 1; return NULL; }
    }
}

static PyObject *py_sst(PyObject *self, PyObject *args) {
    Py_buffer in;
    if (!PyArg_ParseTuple(args, "y*", &in)) return NULL;
    Buf offs = {0}, b = {0};
    Err err = {0};
    const char *ok;
    Py_BEGIN_ALLOW_THREADS
    ok = scan_sst(in.buf, (const char *)in.buf + in.len, &offs, &b, &err);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&in);
    PyObject *res = NULL;
    if (ok)
        res = Py_BuildValue("(ny#y#)", (Py_ssize_t)(offs.n / 4 - 1), offs.d, (Py_ssize_t)offs.n,
                            b.d ? b.d : "", (Py_ssize_t)b.n);
    else
        raise_err(&err);
    free(offs.d);
    free(b.d);
    return res;
}

/* --- numbers and dates ------------------------------------------------------------------------------------- */

/* A decimal number as Excel writes it: -?(d+(.d*)?|.d+)([eE][+-]?d+)? ; anything else is unsupported. */
static int parse_number(const char *p, size_t n, double *out) {
    char tmp[64];
    if (!n || n >= sizeof tmp) return 0;
    size_t i = 0, digits = 0;
    if (p[i] == '-') i++;
    while (i < n && p[i] >= '0' && p[i] <= '9') { i++; digits++; }
    if (i < n && p[i] == '.') {
        i++;
        while (i < n && p[i] >= '0' && p[i] <= '9') { i++; digits++; }
    }
    if (!digits) return 0;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-')) i++;
        size_t ed = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9') { i++; ed++; }
        if (!ed) return 0;
    }
    if (i != n) return 0;
    memcpy(tmp, p, n);
    tmp[n] = 0;
    *out = strtod(tmp, NULL);                       /* LC_NUMERIC is "C" in a Python process */
    return 1;
}

#define MS_PER_DAY 86400000.0
#define DAYS_1899_TO_1970 25569LL
static const int64_t US_MIN = -62135596800LL * 1000000LL;           /* 0001-01-01 */
static const int64_t US_MAX = 253402300800LL * 1000000LL - 1;       /* 9999-12-31 23:59:59.999999 */

/* calamine's ExcelDateTime::as_datetime: microseconds since 1970, or 0 when out of range. */
static int excel_us(double v, int is1904, int64_t *us) {
    double f = is1904 ? v + 1462.0 : v;
    if (f < 60.0) f += 1.0;
    double ms = round(f * MS_PER_DAY);              /* half away from zero, as Rust's f64::round */
    if (!(fabs(ms) < 9.0e15)) return 0;
    *us = ((int64_t)ms - DAYS_1899_TO_1970 * 86400000LL) * 1000;
    return 1;
}

static int64_t floordiv(int64_t a, int64_t b) { int64_t q = a / b; return (a % b && (a < 0) != (b < 0)) ? q - 1 : q; }

/* A number cell's kind and payload by its format (python-calamine's CellValue from calamine's DataType). */
static int number_cell(double v, int fmt, int is1904, uint8_t *kind, int64_t *pay) {
    int64_t us;
    if (fmt == F_DATETIME) {
        if (v < 1.0) {
            if (v < -3.0e6) return 0;               /* chrono's range and beyond: not ours to guess */
            if (!excel_us(v, is1904, &us)) return 0;
            *kind = K_TIME;
            *pay = us - floordiv(us, 86400000000LL) * 86400000000LL;
            return 1;
        }
        if (excel_us(v, is1904, &us) && us >= US_MIN && us <= US_MAX) {
            if (v < 1.8446744073709552e19 && v == floor(v)) {
                *kind = K_DATE;
                *pay = floordiv(us, 86400000000LL);
            } else {
                *kind = K_DATETIME;
                *pay = us;
            }
            return 1;
        }
    } else if (fmt == F_TIMEDELTA) {
        if (!(fabs(v) < 9.0e8)) return 0;
        *kind = K_DELTA;
        *pay = (int64_t)round(v * MS_PER_DAY) * 1000;
        return 1;
    }
    *kind = K_FLOAT;
    memcpy(pay, &v, 8);
    return 1;
}

/* --- the sheet --------------------------------------------------------------------------------------------- */

typedef struct {
    Buf row, col, kind, pay;                         /* int32, int32, uint8, int64 per cell holding something */
    Buf toffs, tbuf;                                 /* texts of the sheet (inline strings, str results, errors) */
    const char *tail;                                /* just after </sheetData> */
    int64_t first, last;                             /* row * 2^20 + col of the first and last cell, or -1 */
} Cells;

static void free_cells_parts(Cells *c) {
    free(c->row.d); free(c->col.d); free(c->kind.d); free(c->pay.d); free(c->toffs.d); free(c->tbuf.d);
}

static const char *ERRORS[] = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", NULL};

/* "B12" -> (11, 1); 0 when it is not a plain reference. */
static int cell_ref(const char *p, size_t n, int32_t *row, int32_t *col) {
    size_t i = 0;
    int64_t c = 0, r = 0;
    while (i < n && p[i] >= 'A' && p[i] <= 'Z' && i < 3) { c = c * 26 + (p[i] - 'A' + 1); i++; }
    if (!i || i >= n || p[i] < '1' || p[i] > '9') return 0;
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return 0;
        r = r * 10 + (p[i] - '0');
        if (r > 100000000) return 0;
    }
    *row = (int32_t)(r - 1);
    *col = (int32_t)(c - 1);
    return 1;
}

typedef struct {
    const uint8_t *formats; size_t n_formats;
    const int32_t *sst_offs; Py_ssize_t n_sst;
    int is1904;
} Ctx;

static int text_done(Cells *c, size_t start, Err *err, int64_t *pay, uint8_t *kind, Py_ssize_t n_sst) {
    if (c->tbuf.n > INT32_MAX) { err->why = "texts too long"; return 0; }
    int32_t o = (int32_t)c->tbuf.n;
    if (!buf_put(&c->toffs, &o, 4)) { err->nomem = 1; return 0; }
    *pay = n_sst + (int64_t)(c->toffs.n / 4 - 2);
    *kind = (c->tbuf.n == start) ? K_EMPTYSTR : K_STR;
    return 1;
}

/* The worksheet's start, up to just inside <sheetData>; NULL with err->why, or *empty when there are no cells. */
static const char *scan_prelude(const char *p, const char *end, Cells *c, int *empty, Err *err) {
    int root_empty = 0;
    *empty = 0;
    p = root(p, end, "worksheet", &root_empty, err);
    if (!p) return NULL;
    if (root_empty) FAIL(err, "empty worksheet");
    for (;;) {                                      /* to <sheetData> */
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt) FAIL(err, "no sheetData");         /* calamine's error to give */
        Tag t;
        if (lt + 1 < end && (lt[1] == '!' || lt[1] == '?')) FAIL(err, "comment before sheetData");
        if (!parse_tag(lt, end, &t)) FAIL(err, "tag before sheetData");
        p = t.next;
        if (!t.closing && name_is(&t, "sheetData")) {
            if (t.selfclose) { c->tail = p; *empty = 1; }
            return p;
        }
        if (t.closing && name_is(&t, "worksheet")) FAIL(err, "no sheetData");
    }
}

/* The cells from p: to </sheetData> (c->tail set after it), or, with `stop`, to the tag that starts at stop (the
 * other thread's half) - returned. */
static const char *scan_cells(const char *p, const char *end, const char *stop, const Ctx *ctx, Cells *c, Err *err) {
    int32_t zero = 0;
    if (!buf_put(&c->toffs, &zero, 4)) { err->nomem = 1; return NULL; }
    int64_t last = -1;                              /* row * 2^20 + col of the previous cell */
    for (;;) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt) FAIL(err, "unterminated sheetData");
        if (stop && lt >= stop) {
            if (lt != stop) FAIL(err, "split");
            return lt;
        }
        Tag t;
        if (!parse_tag(lt, end, &t)) FAIL(err, "tag in sheetData");
        p = t.next;
        if (name_is(&t, "row")) continue;
        if (t.closing) {
            if (name_is(&t, "sheetData")) {
                if (stop) FAIL(err, "split");
                c->tail = p;
                return p;
            }
            FAIL(err, "closing tag in sheetData");
        }
        if (!name_is(&t, "c")) FAIL(err, "element in sheetData");
        size_t rl = 0, sl = 0, tl = 0;
        const char *r = NULL, *s = NULL, *ty = NULL;
        cell_attrs(&t, &r, &rl, &s, &sl, &ty, &tl);
        int32_t row, col;
        if (!r || !cell_ref(r, rl, &row, &col)) FAIL(err, "cell reference");
        int64_t here = (int64_t)row * (1 << 20) + col;
        if (here <= last || col >= (1 << 20)) FAIL(err, "cells out of order");
        last = here;
        if (c->first < 0) c->first = here;
        c->last = here;
        int fmt = F_OTHER;
        if (s) {
            size_t id = 0;
            if (!sl || sl > 9) FAIL(err, "style");
            for (size_t i = 0; i < sl; i++) {
                if (s[i] < '0' || s[i] > '9') FAIL(err, "style");
                id = id * 10 + (size_t)(s[i] - '0');
            }
            fmt = id < ctx->n_formats ? ctx->formats[id] : F_OTHER;
        }
        enum { T_N, T_S, T_B, T_E, T_STR, T_INLINE, T_OTHER } type = T_N;
        if (ty) {
            if (tl == 1 && *ty == 'n') type = T_N;
            else if (tl == 1 && *ty == 's') type = T_S;
            else if (tl == 1 && *ty == 'b') type = T_B;
            else if (tl == 1 && *ty == 'e') type = T_E;
            else if (tl == 3 && !memcmp(ty, "str", 3)) type = T_STR;
            else if ((tl == 9 && !memcmp(ty, "inlineStr", 9)) || (tl == 2 && !memcmp(ty, "is", 2))) type = T_INLINE;
            else type = T_OTHER;
        }
        if (t.selfclose) continue;                  /* <c r="A1" s="3"/>: empty */
        /* the cell's children: the last <v>, <f> or <is> decides (calamine's read_value) */
        enum { L_NONE, L_V, L_F, L_IS } lastel = L_NONE;
        const char *v0 = NULL, *v1 = NULL;
        size_t is_start = 0, is_end = 0;
        int had_is = 0;
        for (;;) {
            Tag u;
            int got = next_tag(&p, end, &u);
            if (!got) FAIL(err, "unterminated cell");
            if (got < 0) FAIL(err, "tag in a cell");
            if (u.closing) {
                if (name_is(&u, "c")) break;
                FAIL(err, "closing tag in a cell");
            }
            if (name_is(&u, "v")) {
                if (u.selfclose) FAIL(err, "empty v");
                const char *q2 = content_end(p, end, "</v>");
                if (!q2) FAIL(err, "v content");
                v0 = p; v1 = q2; lastel = L_V;
                p = q2 + 4;
            } else if (name_is(&u, "f")) {
                if (!u.selfclose) {
                    const char *q2 = content_end(p, end, "</f>");
                    if (!q2) FAIL(err, "f content");
                    p = q2 + 4;
                } else if (lastel == L_V) {
                    FAIL(err, "f after v");
                }
                if (!u.selfclose) lastel = L_F;
            } else if (name_is(&u, "is")) {
                if (u.selfclose) FAIL(err, "empty is");
                is_start = c->tbuf.n;
                p = read_rich(p, end, "is", &c->tbuf, err);
                if (!p) return NULL;
                is_end = c->tbuf.n;
                had_is = 1;
                lastel = L_IS;
            } else {
                FAIL(err, "element in a cell");
            }
        }
        uint8_t kind = K_NONE;
        int64_t pay = 0;
        if (lastel == L_IS) {
            if (is_end != c->tbuf.n) FAIL(err, "strings");
            if (!text_done(c, is_start, err, &pay, &kind, ctx->n_sst)) return NULL;
        } else {
            /* an <is> read before a later <v>/<f>: its text is dropped (calamine keeps the last element) */
            if (had_is) {
                if (is_end != c->tbuf.n) FAIL(err, "strings");
                c->tbuf.n = is_start;
            }
            if (lastel == L_V && type != T_INLINE) {
                size_t n = (size_t)(v1 - v0);
                if (type == T_OTHER) FAIL(err, "cell type");
                if (type == T_STR) {
                    size_t start = c->tbuf.n;
                    int rr = decode_text(v0, v1, &c->tbuf);
                    if (rr < 0) { err->nomem = 1; return NULL; }
                    if (!rr) FAIL(err, "text");
                    if (!text_done(c, start, err, &pay, &kind, ctx->n_sst)) return NULL;
                } else if (n) {
                    if (memchr(v0, '&', n)) FAIL(err, "entity in a value");
                    if (type == T_S) {
                        int64_t idx = 0;
                        if (n > 10) FAIL(err, "string index");
                        for (size_t i = 0; i < n; i++) {
                            if (v0[i] < '0' || v0[i] > '9') FAIL(err, "string index");
                            idx = idx * 10 + (v0[i] - '0');
                        }
                        if (idx >= ctx->n_sst) FAIL(err, "string index");
                        pay = idx;
                        kind = ctx->sst_offs[idx + 1] == ctx->sst_offs[idx] ? K_EMPTYSTR : K_STR;
                    } else if (type == T_B) {
                        kind = K_BOOL;
                        pay = !(n == 1 && v0[0] == '0');
                    } else if (type == T_E) {
                        int known = 0;
                        for (int i = 0; ERRORS[i]; i++)
                            if (strlen(ERRORS[i]) == n && !memcmp(ERRORS[i], v0, n)) known = 1;
                        if (!known) FAIL(err, "error code");
                        size_t start = c->tbuf.n;
                        if (!buf_put(&c->tbuf, v0, n)) { err->nomem = 1; return NULL; }
                        if (!text_done(c, start, err, &pay, &kind, ctx->n_sst)) return NULL;
                        kind = K_ERROR;
                    } else {
                        double d;
                        if (!parse_number(v0, n, &d)) FAIL(err, "number");
                        if (!number_cell(d, fmt, ctx->is1904, &kind, &pay)) FAIL(err, "date range");
                    }
                }
            }
        }
        if (kind == K_NONE) continue;
        if (!buf_put(&c->row, &row, 4) || !buf_put(&c->col, &col, 4) || !buf_put(&c->kind, &kind, 1)
            || !buf_put(&c->pay, &pay, 8)) {
            err->nomem = 1;
            return NULL;
        }
    }
}

/* Two halves of a large sheet are scanned side by side (the child has the machine's second core): the second
 * starts at a <row> tag near the middle, its texts and cells are appended to the first's after both finish. */
#define PARALLEL_MIN (4 << 20)

typedef struct { const char *p, *end; const Ctx *ctx; Cells c; Err err; const char *ret; } Half;

static void *half_main(void *arg) {
    Half *h = arg;
    h->ret = scan_cells(h->p, h->end, NULL, h->ctx, &h->c, &h->err);
    return NULL;
}

static int merge(Cells *a, Cells *b, Py_ssize_t n_sst, Err *err) {
    if (a->last >= 0 && b->first >= 0 && b->first <= a->last) { err->why = "cells out of order"; return 0; }
    if (a->tbuf.n + b->tbuf.n > INT32_MAX) { err->why = "texts too long"; return 0; }
    int64_t texts_a = (int64_t)(a->toffs.n / 4) - 1;
    int32_t base = (int32_t)a->tbuf.n;
    const int32_t *bo = (const int32_t *)b->toffs.d;
    size_t nb_off = b->toffs.n / 4;
    if (!buf_put(&a->tbuf, b->tbuf.d, b->tbuf.n) || !buf_reserve(&a->toffs, (nb_off ? nb_off - 1 : 0) * 4)) {
        err->nomem = 1;
        return 0;
    }
    for (size_t i = 1; i < nb_off; i++) {
        int32_t o = bo[i] + base;
        buf_put(&a->toffs, &o, 4);
    }
    size_t n = b->kind.n;
    const uint8_t *k = (const uint8_t *)b->kind.d;
    int64_t *pay = (int64_t *)b->pay.d;
    for (size_t i = 0; i < n; i++)
        if ((k[i] == K_STR || k[i] == K_ERROR || k[i] == K_EMPTYSTR) && pay[i] >= n_sst) pay[i] += texts_a;
    if (!buf_put(&a->row, b->row.d, b->row.n) || !buf_put(&a->col, b->col.d, b->col.n)
        || !buf_put(&a->kind, b->kind.d, b->kind.n) || !buf_put(&a->pay, b->pay.d, b->pay.n)) {
        err->nomem = 1;
        return 0;
    }
    a->tail = b->tail;
    if (b->last >= 0) a->last = b->last;
    if (a->first < 0) a->first = b->first;
    return 1;
}

static const char *scan_sheet(const char *p, const char *end, const Ctx *ctx, Cells *c, Err *err) {
    int empty;
    const char *q = scan_prelude(p, end, c, &empty, err);
    if (!q) return NULL;
    if (empty) {
        int32_t zero = 0;
        if (!buf_put(&c->toffs, &zero, 4)) { err->nomem = 1; return NULL; }
        return q;
    }
    size_t guess = (size_t)(end - q) / 48 + 16;
    if (!buf_reserve(&c->row, guess * 4) || !buf_reserve(&c->col, guess * 4) || !buf_reserve(&c->kind, guess)
        || !buf_reserve(&c->pay, guess * 8)) { err->nomem = 1; return NULL; }
    const char *mid = NULL;
    if ((size_t)(end - q) > PARALLEL_MIN) {
        const char *m = q + (end - q) / 2;
        while ((m = memmem(m, (size_t)(end - m), "<row", 4)) && m + 4 < end && m[4] != ' ' && m[4] != '>')
            m += 4;
        if (m && m + 4 < end) mid = m;
    }
    Half h;
    pthread_t th;
    if (mid) {
        memset(&h, 0, sizeof h);
        h.p = mid; h.end = end; h.ctx = ctx;
        h.c.first = h.c.last = -1;
        if (pthread_create(&th, NULL, half_main, &h)) mid = NULL;
    }
    const char *ra = scan_cells(q, end, mid, ctx, c, err);
    if (!mid) return ra;
    pthread_join(th, NULL);
    const char *ret = NULL;
    if (ra && !h.ret) *err = h.err;
    else if (ra && merge(c, &h.c, ctx->n_sst, err)) ret = h.ret;
    free_cells_parts(&h.c);
    return ret;
}

/* --- columns ----------------------------------------------------------------------------------------------- */

static int typed(int k) { return k == K_STR || k == K_FLOAT || k == K_BOOL || k == K_DATETIME || k == K_DATE; }

static void free_cells(Cells *c) { free_cells_parts(c); }

/* sheet(xml, sst_offsets, n_sst, formats, is_1904, max_rows, max_cols) ->
 *   (status, n_rows, width, texts_offsets, texts, tail, columns)
 * status: "ok", "rows" (a cell at or beyond max_rows), "cols" (a value beyond max_cols).
 * columns: for j < width, None (nothing) or (dominant kind, payload int64 × n_rows or None, validity bitmap,
 *   number of exceptions, their payloads int64 × n then rows int32 × n then kinds int8 × n). Payloads: a string's index into the
 *   shared strings followed by the sheet's texts; a float's bits; 0/1; microseconds (datetime since 1970, time
 *   of day, duration); days since 1970 (date). */
static PyObject *py_sheet(PyObject *self, PyObject *args) {
    Py_buffer in, so, fm;
    Py_ssize_t n_sst, max_rows, max_cols;
    int is1904;
    if (!PyArg_ParseTuple(args, "y*y*ny*pnn", &in, &so, &n_sst, &fm, &is1904, &max_rows, &max_cols)) return NULL;
    Cells c;
    memset(&c, 0, sizeof c);
    c.first = c.last = -1;
    Err err = {0};
    Ctx ctx = {fm.buf, (size_t)fm.len, so.buf, n_sst, is1904};
    PyObject *res = NULL;
    if (so.len < (n_sst + 1) * 4) {
        PyErr_SetString(PyExc_ValueError, "sst offsets");
        goto done;
    }
    const char *ok;
    Py_BEGIN_ALLOW_THREADS
    ok = scan_sheet(in.buf, (const char *)in.buf + in.len, &ctx, &c, &err);
    Py_END_ALLOW_THREADS
    if (!ok) { raise_err(&err); goto done; }
    size_t n = c.kind.n;
    const int32_t *rows = (const int32_t *)c.row.d, *cols = (const int32_t *)c.col.d;
    const uint8_t *kinds = (const uint8_t *)c.kind.d;
    const int64_t *pays = (const int64_t *)c.pay.d;
    int64_t max_row_any = -1, max_col_any = -1, last_row = -1;
    int wide = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i] > max_row_any) max_row_any = rows[i];
        if (cols[i] > max_col_any) max_col_any = cols[i];
        if (kinds[i] != K_EMPTYSTR) {
            if (cols[i] >= max_cols) { if (kinds[i] != K_ERROR) wide = 1; }
            else if (rows[i] > last_row) last_row = rows[i];
        }
    }
    const char *status = max_row_any >= max_rows ? "rows" : wide ? "cols" : "ok";
    Py_ssize_t n_rows = (Py_ssize_t)(last_row + 1);
    Py_ssize_t width = n_rows ? (Py_ssize_t)(max_col_any + 1 < max_cols ? max_col_any + 1 : max_cols) : 0;
    if (strcmp(status, "ok")) { n_rows = 0; width = 0; }
    /* per column: counts and first rows of each kind, then the dominant kind (cells.encode's rule) */
    int64_t (*count)[N_KINDS] = calloc((size_t)width + 1, sizeof *count);
    int64_t (*first)[N_KINDS] = calloc((size_t)width + 1, sizeof *first);
    int *dom = calloc((size_t)width + 1, sizeof *dom);
    int64_t *n_exc = calloc((size_t)width + 1, sizeof *n_exc);
    if (!count || !first || !dom || !n_exc) { PyErr_NoMemory(); goto cols_done; }
    for (size_t i = 0; i < n; i++) {
        int32_t j = cols[i];
        if (j >= width || kinds[i] == K_EMPTYSTR) continue;
        if (!count[j][kinds[i]]++) first[j][kinds[i]] = rows[i];
    }
    for (Py_ssize_t j = 0; j < width; j++) {
        int best = -1;
        for (int k = 1; k < N_KINDS; k++) {
            if (!typed(k) || !count[j][k]) continue;
            if (best < 0 || count[j][k] > count[j][best]
                || (count[j][k] == count[j][best] && (k == K_STR
                    || (best != K_STR && first[j][k] < first[j][best]))))
                best = k;
        }
        dom[j] = best < 0 ? K_NONE : best;
        int64_t total = 0;
        for (int k = 1; k < N_KINDS; k++) if (k != K_EMPTYSTR) total += count[j][k];
        n_exc[j] = total - (best < 0 ? 0 : count[j][best]);
    }
    PyObject *columns = PyList_New(width);
    if (!columns) goto cols_done;
    size_t nbits = ((size_t)n_rows + 7) / 8;
    int64_t **body = calloc((size_t)width + 1, sizeof *body);
    uint8_t **valid = calloc((size_t)width + 1, sizeof *valid);
    int32_t **er = calloc((size_t)width + 1, sizeof *er);
    int8_t **ek = calloc((size_t)width + 1, sizeof *ek);
    int64_t **ep = calloc((size_t)width + 1, sizeof *ep);
    int64_t *fill = calloc((size_t)width + 1, sizeof *fill);
    PyObject **objs = calloc((size_t)width * 4 + 1, sizeof *objs);
    int bad = !body || !valid || !er || !ek || !ep || !fill || !objs;
    /* the buffers are Python bytes, filled in place */
    for (Py_ssize_t j = 0; j < width && !bad; j++) {
        if (dom[j] != K_NONE) {
            objs[4 * j] = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n_rows * 8);
            objs[4 * j + 1] = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)nbits);
            if (!objs[4 * j] || !objs[4 * j + 1]) { bad = 1; break; }
            body[j] = (int64_t *)PyBytes_AS_STRING(objs[4 * j]);
            valid[j] = (uint8_t *)PyBytes_AS_STRING(objs[4 * j + 1]);
            memset(body[j], 0, (size_t)n_rows * 8);
            memset(valid[j], 0, nbits);
        }
        if (n_exc[j]) {
            objs[4 * j + 2] = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)n_exc[j] * 13);
            if (!objs[4 * j + 2]) { bad = 1; break; }
            char *b = PyBytes_AS_STRING(objs[4 * j + 2]);
            ep[j] = (int64_t *)b;                   /* payloads first: 8-byte aligned */
            er[j] = (int32_t *)(b + n_exc[j] * 8);
            ek[j] = (int8_t *)(b + n_exc[j] * 12);
        }
    }
    if (!bad) {
        for (size_t i = 0; i < n; i++) {
            int32_t j = cols[i];
            int k = kinds[i];
            if (j >= width || k == K_EMPTYSTR) continue;
            if (k == dom[j]) {
                body[j][rows[i]] = pays[i];
                valid[j][rows[i] >> 3] |= (uint8_t)(1u << (rows[i] & 7));
            } else {
                int64_t f = fill[j]++;
                er[j][f] = rows[i];
                ep[j][f] = pays[i];
                ek[j][f] = (int8_t)k;
            }
        }
        for (Py_ssize_t j = 0; j < width && !bad; j++) {
            PyObject *item;
            if (dom[j] == K_NONE && !n_exc[j]) {
                item = Py_None;
                Py_INCREF(item);
            } else {
                PyObject *e = objs[4 * j + 2];
                item = Py_BuildValue("(iOOnO)", dom[j], objs[4 * j] ? objs[4 * j] : Py_None,
                                     objs[4 * j + 1] ? objs[4 * j + 1] : Py_None, (Py_ssize_t)n_exc[j],
                                     e ? e : Py_None);
                if (!item) { bad = 1; break; }
            }
            PyList_SET_ITEM(columns, j, item);
        }
    }
    if (bad) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        Py_DECREF(columns);
    } else {
        res = Py_BuildValue("(snny#y#nN)", status, n_rows, width, c.toffs.d, (Py_ssize_t)c.toffs.n,
                            c.tbuf.d ? c.tbuf.d : "", (Py_ssize_t)c.tbuf.n, (Py_ssize_t)(c.tail - (const char *)in.buf),
                            columns);
    }
    if (objs) for (Py_ssize_t i = 0; i < width * 4; i++) Py_XDECREF(objs[i]);
    free(body); free(valid); free(er); free(ek); free(ep); free(fill); free(objs);
cols_done:
    free(count); free(first); free(dom); free(n_exc);
done:
    free_cells(&c);
    PyBuffer_Release(&in);
    PyBuffer_Release(&so);
    PyBuffer_Release(&fm);
    return res;
}

static PyMethodDef methods[] = {
    {"sst", py_sst, METH_VARARGS, "sst(xml) -> (count, int32 offsets, utf-8 texts)"},
    {"sheet", py_sheet, METH_VARARGS, "sheet(xml, sst_offsets, n_sst, formats, is_1904, max_rows, max_cols)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_xlsxscan", NULL, -1, methods};

PyMODINIT_FUNC PyInit__xlsxscan(void) {
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Unsupported = PyErr_NewException("_xlsxscan.Unsupported", NULL, NULL);
    if (!Unsupported || PyModule_AddObject(m, "Unsupported", Unsupported) < 0) {
        Py_XDECREF(Unsupported);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(Unsupported);
    return m;
}
