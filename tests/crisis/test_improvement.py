"""Improvement actions raised from a crisis's review (the quality work's actions, origin
"crisis"): listed on the crisis page and in the API, the crisis's model and batch carried over."""

import pytest
from django.core.cache import cache

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.crisis import services
from aftersales.crisis.models import CrisisStatus, CrisisType
from aftersales.quality.models import ActionOrigin, ImprovementAction
from tests.api.conftest import api_client
from tests.factories import ProductModelFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crisis(supervisor, level_ii):  # type: ignore[no-untyped-def]
    model = ProductModelFactory()
    crisis = services.crisis_open(
        actor=supervisor,
        title="插头冒烟",
        crisis_type=CrisisType.PRODUCT_SAFETY,
        level=level_ii,
        summary="B7 批次插头过热。",
        models=[model],
        batches=["B7"],
    )
    for status in (CrisisStatus.CONFIRMED, CrisisStatus.CONTAINED, CrisisStatus.RECOVERED):
        crisis = services.crisis_transition(crisis=crisis, actor=supervisor, to=status)
    return services.crisis_transition(crisis=crisis, actor=supervisor, to=CrisisStatus.REVIEWED, lessons="来料检验不足。")


def test_raise_an_action_from_the_review(supervisor, crisis) -> None:  # type: ignore[no-untyped-def]
    owner = UserFactory(role=Role.QUALITY_MANAGER, username="qm-crisis")
    action = services.crisis_raise_action(crisis=crisis, actor=supervisor, title="加严插头来料检验", owner=owner)
    assert action.origin == ActionOrigin.CRISIS and action.origin_reference == crisis.code
    assert action.product_model == crisis.scope_models.get() and action.batch == "B7"
    assert "B7 批次插头过热" in action.problem and "来料检验不足" in action.problem
    assert list(crisis.improvement_actions.all()) == [action]
    assert AuditEvent.objects.filter(action="crisis.improvement_raised").exists()
    with pytest.raises(ValidationFailed):
        services.crisis_raise_action(crisis=crisis, actor=supervisor, title="  ")
    with pytest.raises(PermissionDenied):
        services.crisis_raise_action(crisis=crisis, actor=UserFactory(role=Role.AGENT), title="x")
    assert ImprovementAction.objects.count() == 1


def test_the_page_and_the_api_raise_and_list(client, supervisor, crisis, east, north) -> None:  # type: ignore[no-untyped-def]
    client.force_login(supervisor)
    client.post(f"/crisis/{crisis.pk}/action/", {"title": "更换插头供应商"})
    action = ImprovementAction.objects.get()
    page = client.get(f"/crisis/{crisis.pk}/").content.decode()
    assert action.number in page and f'href="/quality/actions/{action.pk}/"' in page
    cache.clear()
    api = api_client(supervisor)
    made = api.post(f"/api/v1/crisis/crises/{crisis.pk}/actions", {"title": "供应商审核"}, headers={"Idempotency-Key": "a-1"})
    assert made.status_code == 201, made.content
    assert made.json()["origin"] == "crisis" and made.json()["origin_reference"] == crisis.code
    listed = api.get(f"/api/v1/crisis/crises/{crisis.pk}/actions").json()
    assert [a["title"] for a in listed] == ["更换插头供应商", "供应商审核"]
    assert len(api.get(f"/api/v1/crisis/crises/{crisis.pk}").json()["improvement_actions"]) == 2
    regional = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=east, username="reg-sup")
    type(crisis).objects.filter(pk=crisis.pk).update(region=north)
    regional_api = api_client(regional)
    assert regional_api.get(f"/api/v1/crisis/crises/{crisis.pk}/actions").status_code == 404
