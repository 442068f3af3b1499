// Where code points of a Label Studio Text object are on the screen, for tests that drag the
// mouse as an annotator does. Offsets are Python code points into the task text; the rendered
// text is the text nodes under the container in document order, each <br> standing for "\n"
// (Label Studio renders one span.lsf-richtext__line per line, with <br> between them).
(() => {
  function pieces(root) {
    const out = [];
    let cp = 0;
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (let n = w.nextNode(); n; n = w.nextNode()) {
      if (n.nodeType === Node.ELEMENT_NODE) {
        if (n.tagName === "BR") cp += 1;
        continue;
      }
      const units = []; // UTF-16 index of each code point of the node
      for (let i = 0; i < n.data.length; ) {
        units.push(i);
        i += n.data.codePointAt(i) > 0xffff ? 2 : 1;
      }
      out.push({ node: n, start: cp, units });
      cp += units.length;
    }
    return out;
  }

  function locate(root, cp) {
    for (const p of pieces(root)) {
      if (cp >= p.start && cp < p.start + p.units.length) return [p.node, p.units[cp - p.start]];
    }
    throw new Error(`code point ${cp} is not in the rendered text`);
  }

  window.akhbarGeometry = {
    // the rendered text as code points, to compare with the task text
    text(root) {
      let s = "";
      const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
      for (let n = w.nextNode(); n; n = w.nextNode()) {
        if (n.nodeType === Node.TEXT_NODE) s += n.data;
        else if (n.tagName === "BR") s += "\n";
      }
      return s;
    },
    // the glyph rectangles of code points [s, e)
    rects(root, s, e) {
      const [a, ai] = locate(root, s);
      const [b, bi] = locate(root, e - 1);
      const r = document.createRange();
      r.setStart(a, ai);
      r.setEnd(b, bi + (b.data.codePointAt(bi) > 0xffff ? 2 : 1));
      return Array.from(r.getClientRects())
        .filter((x) => x.width > 0)
        .map((x) => [x.left, x.top, x.right, x.bottom]);
    },
    // the code point the caret falls on at a pixel (null outside the text)
    caret(root, x, y) {
      const r = document.caretRangeFromPoint(x, y);
      if (!r) return null;
      for (const p of pieces(root)) {
        if (p.node === r.startContainer) {
          const k = p.units.indexOf(r.startOffset);
          return p.start + (k < 0 ? p.units.length : k);
        }
      }
      return null;
    },
    // a pixel where the caret falls between code points cp - 1 and cp: tried at both sides of
    // both glyphs, because in mixed Arabic and digits the visual side of an edge depends on
    // the direction of the run it belongs to
    point(root, cp) {
      for (const k of [cp, cp - 1]) {
        let rects;
        try {
          rects = this.rects(root, k, k + 1);
        } catch (e) {
          continue;
        }
        for (const [l, t, r, b] of rects) {
          const y = (t + b) / 2;
          for (const x of [l + 1, r - 1, l + 0.5, r - 0.5]) {
            if (this.caret(root, x, y) === cp) return [x, y];
          }
        }
      }
      return null;
    },
  };
})();
