"""评社区 pages: staff write a survey and draw its sample (/surveys), see its results while it runs
and publish them once it has closed; a sampled resident answers it once (/surveys/{id}); anyone
reads the published results."""

from __future__ import annotations

from datetime import datetime, timedelta

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from projects import errors, survey_results, surveys
from projects.access import Actor
from projects.areas import staff_communities
from projects.errors import N_
from projects.surveys import QuestionDraft
from web.api.deps import CurrentActor, Now
from web.api.schemas import IdPath
from web.i18n import CHINA
from web.pages.forms import Form, read_form
from web.pages.redirects import redirect
from web.pages.render import page
from web.pages.session import Viewer

QUESTION_ROWS = 6  # blank rows on the form (no JavaScript): those left empty are not questions
KINDS = {"score": N_("scored 1 to 5"), "text": N_("in words")}
STATES = {"draft": N_("draft"), "open": N_("open"), "published": N_("published")}


async def surveys_page(
    request: Request, actor: Actor, now: datetime, *, form: Form | None = None, status: int = 200
):
    areas = await staff_communities(actor)
    return await page(
        request,
        "surveys.html",
        actor,
        status=status,
        form=form
        or Form(values={"closes_on": (now + timedelta(days=14)).date().isoformat(), "sample_size": "100"}),
        managed=await surveys.list_surveys(actor),
        invited=await surveys.invitations(actor, now=now),
        areas=areas,
        rows=range(1, QUESTION_ROWS + 1),
        kinds=KINDS,
        states=STATES,
    )


async def survey_page(
    request: Request,
    viewer: Actor | None,
    survey_id: int,
    now: datetime,
    *,
    form: Form | None = None,
    status: int = 200,
) -> Template:
    survey, standing = await surveys.view_survey(viewer, survey_id)
    results = None
    if survey.seed is not None and (standing == "staff" or survey.status == "published"):
        results = await survey_results.survey_results(viewer, survey_id)
    return await page(
        request,
        "survey.html",
        viewer,
        status=status,
        form=form,
        survey=survey,
        standing=standing,
        results=results,
        closed=survey.closed(now),
        states=STATES,
    )


class SurveyPages(Controller):
    path = "/surveys"
    include_in_schema = False

    @get(name="page:surveys")
    async def list(self, request: Request, actor: CurrentActor, now: Now) -> Template:
        return await surveys_page(request, actor, now)

    @post(name="page:survey-create")
    async def create(self, request: Request, actor: CurrentActor, now: Now) -> Template | Redirect:
        form = await read_form(request)
        area = form.id("area_id", label=N_("community"))
        title = form.text("title", required=True, label=N_("title"))
        size = form.integer("sample_size", low=1, high=surveys.MAX_SAMPLE, label=N_("sample size"))
        closes_on = form.text("closes_on", required=True, label=N_("closing day"))
        questions = []
        for row in range(1, QUESTION_ROWS + 1):
            prompt = form.text(f"prompt-{row}")
            if prompt:
                kind = form.text(f"kind-{row}")
                questions.append(QuestionDraft(kind if kind in KINDS else "score", prompt))
        closes_at = None
        try:
            closes_at = (
                datetime.fromisoformat(closes_on).replace(tzinfo=CHINA) + timedelta(days=1)
                if closes_on
                else None
            )
        except ValueError:
            form.error("closes_on", N_("Enter a date."))
        if not questions:
            form.error("prompt-1", N_("Write at least one question."))
        if form.ok and area is not None and size is not None and closes_at is not None:
            try:
                survey = await surveys.create_survey(
                    actor,
                    area_id=area,
                    title=title,
                    description=form.text("description"),
                    questions=questions,
                    sample_size=size,
                    closes_at=closes_at,
                    now=now,
                )
            except errors.Invalid as error:
                form.refuse(error)
            else:
                return redirect(request, f"/surveys/{survey.id}", N_("The survey is saved: draw its sample."))
        return await surveys_page(request, actor, now, form=form, status=400)

    @get("/{survey_id:int}", name="page:survey")
    async def read(self, request: Request, viewer: Viewer, survey_id: IdPath, now: Now) -> Template:
        return await survey_page(request, viewer, survey_id, now)

    @post("/{survey_id:int}/draw", name="page:survey-draw")
    async def draw(self, request: Request, actor: CurrentActor, survey_id: IdPath, now: Now) -> Redirect:
        survey = await surveys.draw_sample(actor, survey_id, now=now)
        return redirect(
            request,
            f"/surveys/{survey_id}",
            N_("The sample is drawn from {count} residents."),
            {"count": survey.frame_size},
        )

    @post("/{survey_id:int}/answers", name="page:survey-answer")
    async def answer(
        self, request: Request, actor: CurrentActor, survey_id: IdPath, now: Now
    ) -> Template | Redirect:
        form = await read_form(request)
        survey, _ = await surveys.view_survey(actor, survey_id)
        scores, texts = {}, {}
        for question in survey.questions:
            if question.kind == "score":
                score = form.integer(f"q-{question.id}", low=1, high=5, label=N_("score"))
                if score is not None:
                    scores[question.id] = score
            else:
                texts[question.id] = form.text(f"q-{question.id}")
        if form.ok:
            try:
                await surveys.answer_survey(actor, survey_id, scores=scores, texts=texts, now=now)
            except (errors.Invalid, errors.Conflict) as error:
                form.refuse(error)
            else:
                return redirect(
                    request, "/", N_("Thank you: your answers are recorded, apart from your name.")
                )
        return await survey_page(request, actor, survey_id, now, form=form, status=400)

    @post("/{survey_id:int}/publish", name="page:survey-publish")
    async def publish(
        self, request: Request, actor: CurrentActor, survey_id: IdPath, now: Now
    ) -> Template | Redirect:
        try:
            await survey_results.publish_results(actor, survey_id, now=now)
        except errors.Conflict as error:
            form = Form()
            form.refuse(error)
            return await survey_page(request, actor, survey_id, now, form=form, status=409)
        return redirect(request, f"/surveys/{survey_id}", N_("The results are published."))
