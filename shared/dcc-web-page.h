/* Pieces of the two live web pages (distccd's /monitor, server/web-monitor.c,
 * and distccmon-web's, client/client-monitor-page.c): string literals that
 * each page splices into its own one-string document, so that the look and
 * the helpers that fill a page with textContent only are written once. */
#pragma once

/* Stylesheet rules: the page, headings, tables and numeric cells. */
#define DCC_WEB_PAGE_CSS_BASE \
"body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; background: #fafafa; }\n" \
"h1 { font-size: 1.3em; margin: 0 0 .6em; } h2 { font-size: 1.05em; margin: 1.2em 0 .4em; }\n" \
"table { border-collapse: collapse; min-width: 40em; background: #fff; }\n" \
"th, td { text-align: left; padding: .2em .8em; border-bottom: 1px solid #ddd; }\n" \
"td.n { text-align: right; font-variant-numeric: tabular-nums; }\n"

/* JavaScript: a duration in ms as "N ms" or "N.N s". */
#define DCC_WEB_PAGE_JS_MS \
"function ms(v) { return v < 1000 ? v + ' ms' : (v / 1000).toFixed(1) + ' s'; }\n"

/* JavaScript: set(id, v) puts v as the text of element id; fill(id, rows)
 * replaces its children. */
#define DCC_WEB_PAGE_JS_SET_FILL \
"function set(id, v) { document.getElementById(id).textContent = v; }\n" \
"function fill(id, rows) { document.getElementById(id).replaceChildren(...rows); }\n"

/* JavaScript, at the end of poll()'s try block: says when the page was
 * last updated and counts the polls (the tests wait on data-polls). */
#define DCC_WEB_PAGE_JS_POLLED \
"    set('status', 'updated ' + new Date().toLocaleTimeString());\n" \
"    document.body.dataset.polls = (Number(document.body.dataset.polls || 0) + 1).toString();\n"

/* The end of the document: poll now and every second. */
#define DCC_WEB_PAGE_END \
"poll();\n" \
"setInterval(poll, 1000);\n" \
"</script>\n" \
"</body></html>\n"
