/// The report's inline stylesheet. Colours are the Okabe–Ito palette (distinguishable with the common
/// colour-vision deficiencies); bars also differ in pattern or position, never in colour alone. The
/// print rules open the data tables and avoid cutting a table or chart across pages.
enum ReportStyle {
    /// Okabe–Ito.
    static let blue = "#0072B2", orange = "#E69F00", vermillion = "#D55E00", skyBlue = "#56B4E9", green = "#009E73", grey = "#999999"

    static let css = """
    :root { color-scheme: light; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d1d1f; background: #f4f5f7; }
    main { max-width: 1040px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
    header { border-bottom: 3px solid \(blue); padding-bottom: 12px; margin-bottom: 8px; }
    h1 { margin: 0 0 4px; font-size: 26px; }
    h1 span { color: \(blue); }
    h2 { margin: 32px 0 8px; font-size: 20px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
    h3 { margin: 20px 0 6px; font-size: 16px; }
    .meta { color: #555; font-size: 13px; margin: 0; }
    code, .hash { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
    .hash { word-break: break-all; }
    nav { font-size: 13px; margin: 8px 0 0; }
    nav a { margin-right: 12px; color: \(blue); }
    .cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
    .card { flex: 1 1 160px; border: 1px solid #ddd; border-left: 5px solid \(blue); border-radius: 6px; padding: 8px 12px; }
    .card.drop { border-left-color: \(vermillion); }
    .card b { display: block; font-size: 24px; }
    .card span { color: #555; font-size: 13px; }
    table { border-collapse: collapse; margin: 8px 0; font-size: 13px; width: 100%; }
    th, td { border-bottom: 1px solid #e3e3e3; padding: 4px 8px; text-align: left; vertical-align: top; }
    th { background: #f0f3f7; }
    td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    tr.now td { background: #fff4e0; font-weight: 600; }
    svg { display: block; max-width: 100%; height: auto; margin: 8px 0; }
    svg text { font: 12px system-ui, "DejaVu Sans", sans-serif; fill: #1d1d1f; }
    details { margin: 6px 0 12px; }
    summary { cursor: pointer; color: \(blue); font-size: 13px; }
    .pairs td { font-size: 13px; }
    .pairs td.t { width: 45%; }
    .pairs td.s { white-space: nowrap; }
    del { background: #fbe3d6; color: #7a2a00; text-decoration: line-through; }
    ins { background: #d9ecf8; color: #003c60; text-decoration: underline; }
    .note { color: #555; font-size: 13px; }
    .legend span { display: inline-block; margin-right: 14px; font-size: 13px; }
    .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }
    @media print {
        body { background: #fff; font-size: 11px; }
        main { max-width: none; padding: 0; }
        nav, summary { display: none; }
        details::details-content { content-visibility: visible; display: block; }
        details > * { display: block; }
        table, svg, .pairs tr { break-inside: avoid; }
        h2, h3 { break-after: avoid; }
        a { color: inherit; text-decoration: none; }
    }
    """
}
