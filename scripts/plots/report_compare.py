"""`report --compare`: vmbench compare's verdict table, as compare itself judged it (verdicts.py): its last
line and notes, every figure judged worse or better, the figures it could not judge folded by reason, and
every row behind a fold for who wants all of them."""
import html

import compare
import report_tables
import verdicts


def _e(x):
    return html.escape(str(x))


def _row(r):
    u = r.get("unit")
    change = r.get("change")
    p = r.get("p")
    return [r.get("cell", ""), r.get("figure", ""), compare.fmt_value(r.get("base"), u), compare.fmt_value(r.get("new"), u),
            "from 0" if change is None else f"{change * 100:+,.1f}%",
            f"{p:.3g}" if isinstance(p, (int, float)) and r.get("kind") == "timing" else "",
            r.get("threshold", ""), r.get("verdict", ""), r.get("note", "")]


HEADERS = ["cell", "figure", "base", "new", "change", "p", "threshold", "verdict", "note"]


def section(base, new, base_name, new_name):
    """The section's HTML, or a paragraph saying why compare gave no verdict."""
    try:
        answer = verdicts.compare(base, new)
    except verdicts.NoVerdicts as e:
        return f"<p class=warn>No verdict: {_e(e)}</p>"
    rows = answer["rows"]
    judged = [r for r in rows if r.get("verdict") in ("worse", "better")]
    unjudged = [r for r in rows if r.get("verdict") not in verdicts.JUDGED]
    unchanged = sum(1 for r in rows if r.get("verdict") == "unchanged")
    reasons = {}
    for r in unjudged:
        reasons[r.get("note") or "no reason given"] = reasons.get(r.get("note") or "no reason given", 0) + 1
    out = [f"<p>Base (the reference): <code>{_e(base_name)}</code>; judged: <code>{_e(new_name)}</code>.</p>",
           f"<p class=verdict>{_e(answer.get('verdict', ''))}</p>"]
    if answer.get("notes"):
        out.append("<ul>" + "".join(f"<li>{_e(n)}</li>" for n in answer["notes"]) + "</ul>")
    if judged:
        out.append(f"<h3>Judged worse or better ({len(judged)})</h3>" + report_tables.table(HEADERS, [_row(r) for r in judged]))
    else:
        out.append("<p>No figure was judged worse or better.</p>")
    out.append(f"<p>{unchanged} figures judged unchanged.</p>")
    if reasons:
        out.append("<p>Not judged: " + "; ".join(f"{n} figures: {_e(why)}" for why, n in reasons.items()) + ".</p>")
    out.append(f"<details><summary>Every row compare gave ({len(rows)})</summary>" +
               report_tables.table(HEADERS, [_row(r) for r in rows]) + "</details>")
    return "".join(out)
