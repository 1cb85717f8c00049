"""Against a real gateway: PIXERVE_URL, PIXERVE_JWT_SECRET and PIXERVE_TEST_IMAGE (clients/test.sh sets them)."""
import base64
import os
import struct
import unittest
import uuid

import datetime

from pixerve import Client, JobStatus, OutputDone, PixerveError, SourceEvent, mint_token
from .test_transport import ODD_NAME

URL, SECRET, IMAGE = os.environ.get("PIXERVE_URL"), os.environ.get("PIXERVE_JWT_SECRET"), os.environ.get("PIXERVE_TEST_IMAGE")
SUB_DIR = "python-client"
JOB = {"formats": {"jpg": {"sizes": [[400]]}}, "directHost": True, "subDir": SUB_DIR}


def jpeg_size(data: bytes):
    """(width, height) from the first SOF marker."""
    i = 2
    while i < len(data):
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    raise ValueError("no SOF marker")


def unique(data: bytes) -> bytes:
    """Other bytes, the same picture: decoders ignore what follows the JPEG end marker."""
    return data + uuid.uuid4().bytes


# Without a gateway these tests fail rather than skip, so a run that reached none of them cannot read as a pass;
# PIXERVE_SKIP_GATEWAY_TESTS=1 skips them on purpose.
@unittest.skipIf(not (URL and SECRET and IMAGE) and os.environ.get("PIXERVE_SKIP_GATEWAY_TESTS") == "1", "PIXERVE_SKIP_GATEWAY_TESTS=1")
class GatewayTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not (URL and SECRET and IMAGE):
            raise RuntimeError("PIXERVE_URL, PIXERVE_JWT_SECRET and PIXERVE_TEST_IMAGE are unset: run clients/test.sh, "
                               "or set PIXERVE_SKIP_GATEWAY_TESTS=1 to skip the tests that need a gateway")
        cls.client = Client(URL)
        cls.token = mint_token(SECRET, JOB, sub="python-tests")
        with open(IMAGE, "rb") as f:
            cls.photo = f.read()

    def test_upload_wait_download(self):
        job = self.client.upload(IMAGE, self.token)
        self.assertEqual(64, len(job.job_id))
        self.assertEqual([f"{job.hash}_photo-1920x1280-canon_400_400_.jpg"], job.expected_files)
        final = self.client.wait_until_final(job.hash, self.token, timeout=120)
        self.assertEqual("completed", final.status, final.error)
        data = self.client.download(SUB_DIR, job.expected_files[0])
        self.assertEqual((400, 267), jpeg_size(data))
        self.assertEqual(400, final.files[0].width)
        # Typed: aware datetimes in order, the attempts counted, no webhook without a completionCallback.
        self.assertIsInstance(final.created_at, datetime.datetime)
        self.assertIsNotNone(final.created_at.tzinfo)
        self.assertTrue(final.created_at <= final.started_at <= final.finished_at, final)
        self.assertEqual((1, 0, None), (final.attempts, final.retries, final.webhook))
        record = self.client.success(job.hash, self.token)
        self.assertEqual(("success", final.finished_at, 1), (record.status, record.timestamp, record.file_count))
        self.assertEqual(JOB, record.job_data.spec)
        self.assertEqual("success", self.client.failures(None, self.token, job_id=job.job_id).status)
        self.assertEqual(final.job_id, self.client.status(None, self.token, job_id=job.job_id).job_id)
        # The seed's form-field token reaches the same job.
        again = self.client.upload(IMAGE, self.token, form_token=True)
        self.assertEqual((job.job_id, "completed"), (again.job_id, again.status))
        # Only a failed job runs again.
        with self.assertRaises(PixerveError) as caught:
            self.client.retry(job.hash, self.token)
        self.assertEqual(409, caught.exception.status)
        self.assertIn("only a failed job can be retried", caught.exception.detail)

    def test_status_describes_the_source_and_every_output(self):
        # Three boxes, three fits: inside keeps the 3:2 aspect, fill stretches to the box, cover crops to it.
        spec = {"formats": {"jpg": {"sizes": [[400], {"box": [300, 100], "fit": "fill"}]},
                            "webp": {"settings": {"fit": "cover"}, "sizes": [[240, 240]]}},
                "directHost": True, "subDir": SUB_DIR}
        token = mint_token(SECRET, spec, sub="python-tests")
        job = self.client.upload(IMAGE, token)
        final = self.client.wait_until_final(job.hash, token, timeout=120)
        self.assertEqual("completed", final.status, final.error)
        source = final.source
        self.assertIsNotNone(source)
        self.assertEqual(("jpg", 1920, 1280, False, 1),
                         (source.format, source.width, source.height, source.has_alpha, source.frames))
        self.assertRegex(source.dominant_color or "", r"^#[0-9a-f]{6}$")
        self.assertGreaterEqual(len(base64.b64decode(source.thumbhash, validate=True)), 5)
        self.assertEqual(28, len(source.blurhash))  # 4×3 components: 1 + 1 + 4 + 2 × 11 characters
        # By the name's tail ({H}_{W}, the box): format, width, height.
        want = {"_photo-1920x1280-canon_400_400_.jpg": ("jpg", 400, 267),
                "_photo-1920x1280-canon_100_300_.jpg": ("jpg", 300, 100),
                "_photo-1920x1280-canon_240_240_.webp": ("webp", 240, 240)}
        self.assertEqual(sorted(job.hash + tail for tail in want), sorted(final.expected_files))
        # Outputs in the server's order (expected_files order), not sorted or regrouped by the client.
        self.assertEqual(final.expected_files, [o.name for o in final.outputs])
        self.assertEqual(final.raw["expected_files"], final.expected_files)
        for output in final.outputs:
            self.assertEqual(want[output.name[len(job.hash):]], (output.format, output.width, output.height))
            self.assertGreater(output.bytes, 0)
            self.assertEqual([("direct", f"/files/{SUB_DIR}/{output.name}")], [(l.backend, l.location) for l in output.locations])
        job_data = self.client.success(job.hash, token).job_data
        self.assertEqual((source, final.outputs), (job_data.source, job_data.outputs))
        # The event stream, read after the end, tells it all again, typed: the source once, then each output in
        # expected_files order, then the final state.
        events = list(self.client.events(job.hash, token, timeout=30))
        self.assertEqual([SourceEvent] + [OutputDone] * 3 + [JobStatus], [type(e) for e in events[-5:]], events)
        self.assertEqual(source, events[-5].source)
        self.assertEqual([(o.name, i + 1, 3) for i, o in enumerate(final.outputs)],
                         [(e.name, e.done, e.total) for e in events[-4:-1]])
        self.assertEqual("completed", events[-1].status)

    def test_batch_upload_answers_an_entry_per_file(self):
        # The gateway names each file as it read it: a name with CR, LF, quotes and non-ASCII comes back as sent.
        batch = self.client.upload_batch([("a.jpg", unique(self.photo)), ("notes.txt", b"not an image"),
                                          (ODD_NAME, b"not an image either")], self.token)
        self.assertEqual(["a.jpg", "notes.txt", ODD_NAME], [e.file for e in batch.jobs])
        self.assertEqual(("pending", None), (batch.jobs[0].status, batch.jobs[0].error))
        self.assertEqual([415, 415], [e.error.status for e in batch.jobs[1:]])
        self.assertEqual([None, None], [e.hash for e in batch.jobs[1:]])

    def test_cancel_a_pending_job(self):
        # One conversion at a time: a slower job first keeps the next one pending long enough to cancel it.
        slow = mint_token(SECRET, {"formats": {"webp": {"sizes": [[1920]]}}, "directHost": True, "subDir": SUB_DIR})
        for _ in range(8):
            self.client.upload(("slow.jpg", unique(self.photo)), slow)
            job = self.client.upload(("pending.jpg", unique(self.photo)), self.token)
            try:
                cancelled = self.client.cancel(job.hash, self.token)
            except PixerveError as e:
                self.assertEqual(409, e.status)
                continue
            self.assertEqual(("cancelled", "cancelled by request"), (cancelled.status, cancelled.error))
            self.assertEqual("cancelled", self.client.wait_until_final(job.hash, self.token, timeout=10).status)
            self.assertEqual("not_found", self.client.failures(job.hash, self.token).status)
            return
        self.fail("never caught a job still pending")

    def test_bad_token_is_401(self):
        with self.assertRaises(PixerveError) as caught:
            self.client.upload(IMAGE, mint_token("another-secret-that-is-long-enough-0123456789", JOB))
        problem = caught.exception
        self.assertEqual((401, "Unauthorized"), (problem.status, problem.title))
        self.assertIn("signature", problem.detail)
        self.assertTrue(problem.type, problem.problem)
        self.assertEqual(problem.problem["detail"], problem.detail)

    def refused_every_time(self, size: int, runs: int = 20):
        """Uploads `size` bytes under a token of another secret `runs` times: what each attempt ended in."""
        bad = mint_token("another-secret-that-is-long-enough-0123456789", JOB)
        data = b"\xff\xd8\xff\xe0" + os.urandom(size - 4)  # the gateway refuses the token before it looks at bytes
        outcomes = []
        for _ in range(runs):
            try:
                self.client.upload(("big.jpg", data), bad)
                outcomes.append("accepted")
            except PixerveError as e:
                outcomes.append(e.status if "signature" in (e.detail or "") else f"{e.status}: {e.detail}")
            except Exception as e:  # a transport error instead of the answer
                outcomes.append(repr(e))
        return outcomes

    def test_bad_token_is_401_for_a_16_mb_upload_20_times(self):
        outcomes = self.refused_every_time(16 * 1024 * 1024)
        self.assertEqual([401] * 20, outcomes, f"{outcomes.count(401)} of 20 surfaced the 401")

    def test_bad_token_is_401_for_a_700_kb_upload_20_times(self):
        outcomes = self.refused_every_time(700 * 1024)
        self.assertEqual([401] * 20, outcomes, f"{outcomes.count(401)} of 20 surfaced the 401")

    def test_bad_spec_is_400_naming_the_field(self):
        token = mint_token(SECRET, {"formats": {"jpg": {"sizes": [[0]]}}, "directHost": True})
        with self.assertRaises(PixerveError) as caught:
            self.client.upload(IMAGE, token)
        self.assertEqual((400, "formats.jpg.sizes[0]"), (caught.exception.status, caught.exception.field))
        self.assertIn("formats.jpg.sizes[0]", str(caught.exception))

    def test_another_tokens_job_is_404(self):
        job = self.client.upload(("mine.jpg", unique(self.photo)), self.token)
        stranger = mint_token(SECRET, {**JOB, "subDir": "someone-else"})
        with self.assertRaises(PixerveError) as caught:
            self.client.status(job.hash, stranger)
        self.assertEqual(404, caught.exception.status)


if __name__ == "__main__":
    unittest.main()
