"""Tasks go through the real RabbitMQ broker to a real worker."""

from workers.tasks import ping


def test_a_task_sent_through_rabbitmq_is_run_by_a_worker(celery_worker):
    result = ping.delay("hello")
    assert result.get(timeout=30) == {"pong": "hello"}
    assert "system.ping" in celery_worker.output()


def test_routing_sends_each_kind_of_task_to_its_queue():
    from vms.celery import app

    router = app.amqp.router
    assert router.route({}, "streaming.provision_camera")["queue"].name == "provision"
    assert router.route({}, "streaming.monitor_status")["queue"].name == "provision"
    assert router.route({}, "streaming.probe_camera")["queue"].name == "probe"
    assert router.route({}, "events.deliver_webhook")["queue"].name == "events"
    assert router.route({}, "pipeline.grab_frame")["queue"].name == "frames"
    assert router.route({}, "pipeline.detect")["queue"].name == "detect"
    assert router.route({}, "pipeline.persist")["queue"].name == "persist"
    assert router.route({}, "system.ping")["queue"].name == "default"


def test_only_json_is_accepted():
    from vms.celery import app

    assert app.conf.accept_content == ["json"] and app.conf.task_serializer == "json"
