"""The crisis record: confirm an alert as a level-II crisis, team, plan tasks, customer notice
through the outbox, the one transition table, the review's measured figures; drills stay out of
statistics; dismissals need a reason; stale versions and unauthorised users are refused."""

import datetime as dt

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.crisis import selectors, services
from aftersales.crisis.models import Alert, AlertStatus, CrisisStatus, CrisisType, EmergencyPlan, PlanStep, TeamRole
from aftersales.notifications.models import Notification
from aftersales.tickets.choices import Channel
from tests.clock import freeze_time
from tests.factories import ProductModelFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 7, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def plan(level_ii):  # type: ignore[no-untyped-def]
    plan = EmergencyPlan.objects.create(
        name="产品安全应急预案", name_en="Product safety plan", crisis_type=CrisisType.PRODUCT_SAFETY, default_level=level_ii
    )
    PlanStep.objects.create(plan=plan, position=1, title="暂停该批次发货", role=TeamRole.TECHNICAL, due_minutes=60)
    PlanStep.objects.create(plan=plan, position=2, title="发布客户通知", role=TeamRole.SPOKESPERSON, due_minutes=120)
    return plan


def _safety_alert(model, n: int = 2):  # type: ignore[no-untyped-def]
    for i in range(n):
        with freeze_time(T0 + dt.timedelta(minutes=10 * i)):
            make_ticket(
                description="热水器插头冒烟了",
                product_model_code=model.code,
                batch="B7",
                phone=f"1390000{i:04d}",
                customer_name=f"客户{i}",
            )
    return Alert.objects.get()


@pytest.mark.usefixtures("scan_at_once")
def test_the_whole_flow_with_measured_review(supervisor, level_ii, plan) -> None:  # type: ignore[no-untyped-def]
    model = ProductModelFactory()
    alert = _safety_alert(model)
    leader = UserFactory(role=Role.SUPERVISOR, username="leader")
    speaker = UserFactory(role=Role.AGENT, username="speaker")
    with freeze_time(T0 + dt.timedelta(minutes=30)):
        crisis = services.alert_confirm(alert=alert, actor=supervisor, level=level_ii, expected_version=alert.version)
    assert crisis.status == CrisisStatus.CONFIRMED
    assert crisis.plan == plan
    assert crisis.tickets.count() == 2
    assert list(crisis.scope_models.all()) == [model]
    assert crisis.scope_batches == ["B7"]
    assert [t.title for t in crisis.tasks.all()] == ["暂停该批次发货", "发布客户通知"]
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CONFIRMED and alert.crisis == crisis

    services.crisis_add_member(crisis=crisis, actor=supervisor, user=leader, role=TeamRole.LEADER)
    services.crisis_add_member(crisis=crisis, actor=supervisor, user=speaker, role=TeamRole.SPOKESPERSON)
    assert crisis.tasks.get(role=TeamRole.SPOKESPERSON).owner == speaker

    # A new matching ticket links itself while the crisis is open.
    with freeze_time(T0 + dt.timedelta(minutes=40)):
        third = make_ticket(
            description="热水器不加热", product_model_code=model.code, batch="B7", phone="13911112222", customer_name="客户新"
        )
    assert crisis.tickets.filter(pk=third.pk).exists()
    # Another batch does not.
    other = make_ticket(description="热水器不加热", product_model_code=model.code, batch="B8", phone="13911113333")
    assert not crisis.tickets.filter(pk=other.pk).exists()

    crisis.refresh_from_db()  # the team's additions raised its version
    with freeze_time(T0 + dt.timedelta(minutes=50)):
        crisis = services.crisis_transition(
            crisis=crisis, actor=supervisor, to=CrisisStatus.RESPONDING, expected_version=crisis.version
        )
    Notification.objects.all().delete()
    with freeze_time(T0 + dt.timedelta(minutes=60)):
        entry = services.crisis_notify_customers(
            crisis=crisis, actor=supervisor, body="请暂停使用该热水器并拔下插头，我们将上门免费检修。"
        )
    assert entry.recipients == 3
    outbox = Notification.objects.filter(template="crisis.customer_notice")
    assert entry.messages == outbox.count() > 0
    assert {n.ticket_id for n in outbox} == set(crisis.tickets.values_list("pk", flat=True))
    assert all("拔下插头" in n.body for n in outbox)

    with pytest.raises(DomainError) as refused:
        services.crisis_transition(crisis=crisis, actor=supervisor, to=CrisisStatus.REVIEWED)
    assert refused.value.code == "illegal_transition"
    with freeze_time(T0 + dt.timedelta(hours=3)):
        crisis = services.crisis_transition(crisis=crisis, actor=supervisor, to=CrisisStatus.CONTAINED)
    with freeze_time(T0 + dt.timedelta(days=2)):
        crisis = services.crisis_transition(crisis=crisis, actor=supervisor, to=CrisisStatus.RECOVERED)
    with pytest.raises(ValidationFailed):
        services.crisis_transition(crisis=crisis, actor=supervisor, to=CrisisStatus.REVIEWED, lessons=" ")
    with freeze_time(T0 + dt.timedelta(days=3)):
        crisis = services.crisis_transition(
            crisis=crisis, actor=supervisor, to=CrisisStatus.REVIEWED, lessons="插头供应商来料不良。"
        )
    review = crisis.review
    assert review["minutes_to_detection"] == 0.0  # the first ticket opened the safety alert at once
    assert review["minutes_to_confirmation"] == 30.0
    assert review["minutes_to_first_notice"] == 60.0
    assert review["minutes_to_containment"] == 180.0
    assert review["tickets"] == 3 and review["customers"] == 3
    assert AuditEvent.objects.filter(action="crisis.reviewed", object_id=str(crisis.pk)).exists()
    # Once reviewed, nothing moves.
    with pytest.raises(DomainError):
        services.crisis_transition(crisis=crisis, actor=supervisor, to=CrisisStatus.RESPONDING)


def test_dismiss_needs_a_reason_and_decides_once(supervisor) -> None:  # type: ignore[no-untyped-def]
    make_ticket(channel=Channel.SOCIAL, description="抖音视频说售后不理人")
    alert = Alert.objects.get()
    with pytest.raises(ValidationFailed):
        services.alert_dismiss(alert=alert, actor=supervisor, reason="  ")
    services.alert_dismiss(alert=alert, actor=supervisor, reason="个别客户情绪，已回访解决")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED and alert.decided_by == supervisor
    with pytest.raises(Conflict):
        services.alert_dismiss(alert=alert, actor=supervisor, reason="again")


def test_a_stale_version_is_refused(supervisor, level_ii) -> None:  # type: ignore[no-untyped-def]
    make_ticket(channel=Channel.SOCIAL, description="微博热搜")
    alert = Alert.objects.get()
    with pytest.raises(Conflict):
        services.alert_confirm(alert=alert, actor=supervisor, level=level_ii, expected_version=alert.version + 1)
    assert Alert.objects.get().status == AlertStatus.OPEN


def test_only_crisis_roles_may_act(level_ii) -> None:  # type: ignore[no-untyped-def]
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    make_ticket(channel=Channel.SOCIAL, description="微博热搜")
    alert = Alert.objects.get()
    with pytest.raises(PermissionDenied):
        services.alert_confirm(alert=alert, actor=agent, level=level_ii)
    assert not selectors.alerts_visible_to(agent).exists()


def test_a_regional_supervisor_sees_their_region_only(east, north, level_ii) -> None:  # type: ignore[no-untyped-def]
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    local = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=north)
    ours = services.crisis_open(actor=boss, title="华北停服", crisis_type=CrisisType.SERVICE, level=level_ii)
    theirs = services.crisis_open(actor=boss, title="华东停服", crisis_type=CrisisType.SERVICE, level=level_ii)
    type(ours).objects.filter(pk=ours.pk).update(region=north)
    type(theirs).objects.filter(pk=theirs.pk).update(region=east)
    assert set(selectors.crises_visible_to(local)) == {ours}
    assert set(selectors.crises_visible_to(boss)) == {ours, theirs}


def test_a_drill_runs_end_to_end_and_stays_out_of_statistics(supervisor, level_ii, plan) -> None:  # type: ignore[no-untyped-def]
    drill = services.crisis_open(
        actor=supervisor,
        title="演练：热水器起火",
        crisis_type=CrisisType.PRODUCT_SAFETY,
        level=level_ii,
        plan=plan,
        is_drill=True,
    )
    assert drill.status == CrisisStatus.DETECTED
    for status in (CrisisStatus.CONFIRMED, CrisisStatus.RESPONDING, CrisisStatus.CONTAINED, CrisisStatus.RECOVERED):
        drill = services.crisis_transition(crisis=drill, actor=supervisor, to=status)
    assert drill.tasks.count() == 2  # the plan's checklist on confirmation
    drill = services.crisis_transition(crisis=drill, actor=supervisor, to=CrisisStatus.REVIEWED, lessons="通知模板需要提前审批。")
    assert drill.review["drill"] is True
    assert drill.review["minutes_to_containment"] is not None
    figures = selectors.board_figures(supervisor)
    assert figures["crises_30_days"] == 0 and figures["open_crises"] == 0
