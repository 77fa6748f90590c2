"""The indicator pages through the real app, on both engines: staff read their communities'
scores leaf by leaf; the street's assessor scores an assessment leaf (a wrong score answered
next to its field, nothing saved); nobody else finds the pages."""

from __future__ import annotations

from projects.tables import Assessment, Assessor
from tests.api.test_indicators import plant_tree


async def test_staff_read_the_scores_and_the_streets_assessor_scores_a_leaf(site):
    s = site.street
    tree = await plant_tree()
    staff = await site.signed_in(s.staff)
    assert 'href="/indicators"' in (await staff.get("/desk")).text
    listing = await staff.get("/indicators")
    assert listing.status_code == 200 and f'href="/indicators/{s.community}/2026"' in listing.text
    own = await staff.get(f"/indicators/{s.community}/2026")
    assert own.status_code == 200 and "实地考核" in own.text and "暂无数值" in own.text
    assert "/assess/" not in own.text  # the community's own staff do not score themselves

    await Assessor.insert(Assessor(member=s.street_staff, area=s.street, created_at=site.clock()))
    street = await site.signed_in(s.street_staff)
    compared = await street.get("/indicators")
    assert "和平里社区" in compared.text and "幸福里社区" in compared.text
    assess = f"/indicators/{s.community}/2026/assess/{tree['assessed']}"
    wrong = await street.post(assess, {f"score_{tree['assessed']}": "101", f"note_{tree['assessed']}": "好"})
    assert wrong.status_code == 400 and f'id="score_{tree["assessed"]}-error"' in wrong.text
    assert "<details open" in wrong.text and await Assessment.count() == 0
    # The page comes back at its top: a summary there says what was refused and links to the field.
    summary = wrong.text.index('id="refused"')
    assert "考核评分未保存" in wrong.text[summary:] and summary < wrong.text.index("<details open")
    assert f'href="#score_{tree["assessed"]}"' in wrong.text[summary : wrong.text.index("<details open")]
    saved = await street.follow(
        await street.post(assess, {f"score_{tree['assessed']}": "70", f"note_{tree['assessed']}": "台账齐全"})
    )
    assert "考核评分已保存" in saved.text and "台账齐全" in saved.text and "70.00" in saved.text

    for member in (s.resident, s.other_staff):
        other = await site.signed_in(member)
        assert (await other.get(f"/indicators/{s.community}/2026")).status_code == 404
    assert (await street.get(f"/indicators/{s.community}/1999")).status_code == 404
