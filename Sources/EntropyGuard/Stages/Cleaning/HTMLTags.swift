/// Tag names the HTML stripper knows about.
enum HTMLTags {
    /// Real HTML element names. A text counts as HTML only if it has a tag with one of these names (or a
    /// comment/doctype), so generics like `List<String>` or `Vec<T>` do not switch HTML mode on.
    static let known: Set<String> = [
        "html", "head", "body", "title", "meta", "link", "script", "style", "noscript", "template", "div",
        "span", "p", "br", "hr", "a", "b", "i", "u", "s", "em", "strong", "small", "big", "sub", "sup",
        "code", "pre", "kbd", "samp", "var", "mark", "q", "cite", "abbr", "dfn", "time", "blockquote", "ul",
        "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption",
        "colgroup", "col", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer",
        "nav", "aside", "main", "figure", "figcaption", "img", "picture", "source", "video", "audio",
        "iframe", "embed", "object", "param", "form", "input", "button", "select", "option", "optgroup",
        "textarea", "label", "fieldset", "legend", "details", "summary", "font", "center", "strike", "tt",
        "address", "ins", "del", "wbr", "svg", "path", "canvas", "math", "base", "area", "map", "track",
        "dialog", "menu", "hgroup", "output", "progress", "meter", "data", "ruby", "rt", "rp", "bdi", "bdo",
    ]

    /// Elements whose content is not text and is dropped with the tags.
    static let dropContent: Set<String> = ["script", "style", "noscript", "template"]

    /// Tags that end a paragraph: replaced by a blank line.
    static let paragraphBreak: Set<String> = [
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "blockquote", "pre", "section",
        "article", "header", "footer", "nav", "aside", "main", "figure", "form", "fieldset", "details",
        "address", "hr", "html", "body", "center", "menu", "hgroup", "dialog",
    ]
    /// Tags that end a line: replaced by a single line break.
    static let lineBreak: Set<String> = [
        "br", "div", "li", "tr", "dt", "dd", "caption", "thead", "tbody", "tfoot", "figcaption", "summary",
        "legend", "option", "title", "textarea",
    ]
    /// Table cells: replaced by a space so neighbouring cells do not run together.
    static let cellBreak: Set<String> = ["td", "th"]
}
