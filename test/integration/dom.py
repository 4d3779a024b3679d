"""The DOM a headless Chromium dumped (--dump-dom), for the web monitor
tests: text by element id, the rows (cell texts) of each tbody, and the
tags found inside table bodies (a file name that became markup shows
there). Usage: from dom import Dom; d = Dom(); d.feed(html)."""
from html.parser import HTMLParser


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.text, self.rows, self.tags_in_rows = [], {}, {}, set()

    def body(self):
        return next((i for t, i in reversed(self.stack) if t == "tbody"), None)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.body() and tag not in ("tr", "td", "span"):
            self.tags_in_rows.add(tag)
        self.stack.append((tag, a.get("id")))
        if tag == "tr" and self.body():
            self.rows.setdefault(self.body(), []).append([])
        if tag == "td" and self.body():
            self.rows[self.body()][-1].append("")

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        for t, i in self.stack:
            if i:
                self.text[i] = self.text.get(i, "") + data
        if self.stack and self.stack[-1][0] == "td" and self.body():
            self.rows[self.body()][-1][-1] += data
