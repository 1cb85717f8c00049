"""Against the real gateways of clients/test.sh: PIXERVE_URL, and PIXERVE_HELD_URL, a Pixerve whose silo is paused
(every job it takes stays pending), with the same PIXERVE_JWT_SECRET; PIXERVE_TEST_IMAGE is a photo."""
import asyncio
import os
import re
import subprocess
import sys
import time
import tracemalloc
import unittest
import uuid

from pixerve import AsyncClient, Client, JobStatus, OutputDone, PixerveError, PixerveTimeoutError, mint_token
from .test_behaviour import MB, CountingSource

URL, SECRET, IMAGE = os.environ.get("PIXERVE_URL"), os.environ.get("PIXERVE_JWT_SECRET"), os.environ.get("PIXERVE_TEST_IMAGE")
HELD_URL = os.environ.get("PIXERVE_HELD_URL")
SUB_DIR = "python-client"
JOB = {"formats": {"jpg": {"sizes": [[400]]}, "webp": {"sizes": [[200]]}}, "directHost": True, "subDir": SUB_DIR}
README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")


def photo() -> bytes:
    """The test photo with bytes of its own after its end marker (decoders ignore them): a job of its own."""
    with open(IMAGE, "rb") as f:
        return f.read() + uuid.uuid4().bytes


@unittest.skipIf(not (URL and SECRET and IMAGE) and os.environ.get("PIXERVE_SKIP_GATEWAY_TESTS") == "1", "PIXERVE_SKIP_GATEWAY_TESTS=1")
class LiveTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not (URL and SECRET and IMAGE and HELD_URL):
            raise RuntimeError("PIXERVE_URL, PIXERVE_HELD_URL, PIXERVE_JWT_SECRET and PIXERVE_TEST_IMAGE are unset: run "
                               "clients/test.sh, or set PIXERVE_SKIP_GATEWAY_TESTS=1 to skip the tests that need a gateway")
        cls.token = mint_token(SECRET, JOB, sub="python-live-tests")

    def test_wait_until_final_on_a_job_held_pending_times_out_within_its_bound(self):
        client = Client(HELD_URL)
        job = client.upload(("held.jpg", photo()), self.token)
        self.assertEqual("pending", client.status(job.hash, self.token).status)
        started = time.monotonic()
        with self.assertRaises(PixerveTimeoutError) as caught:
            client.wait_until_final(job.hash, self.token, timeout=2)
        elapsed = time.monotonic() - started
        self.assertTrue(1.9 <= elapsed < 3.0, f"the 2 s timeout fired after {elapsed:.2f} s")
        self.assertEqual(("wait_until_final", 2), (caught.exception.operation, caught.exception.timeout))
        # The job is still there, still pending: the timeout ended the wait, not the job.
        self.assertEqual("pending", client.status(job.hash, self.token).status)

    def test_async_wait_until_final_on_a_job_held_pending_times_out_within_its_bound(self):
        async def main():
            client = AsyncClient(HELD_URL)
            job = await client.upload(("held.jpg", photo()), self.token)
            started = time.monotonic()
            with self.assertRaises(PixerveTimeoutError):
                await client.wait_until_final(job.hash, self.token, timeout=2)
            elapsed = time.monotonic() - started
            # Five waits in a row under one subject: each closed its stream, or the gateway's four streams per
            # subject would be taken and the fifth refused (429) before its timeout.
            for _ in range(4):
                with self.assertRaises(asyncio.TimeoutError):  # asyncio's own, the task cancelled
                    await asyncio.wait_for(client.wait_until_final(job.hash, self.token, timeout=None), 0.3)
            await asyncio.sleep(0.2)
            events = client.events(job.hash, self.token, timeout=1)
            first = await events.__anext__()
            await events.aclose()
            return elapsed, first

        elapsed, first = asyncio.run(main())
        self.assertTrue(1.9 <= elapsed < 3.0, f"the 2 s timeout fired after {elapsed:.2f} s")
        self.assertEqual("pending", first.status)

    def test_async_client_uploads_waits_and_reads_the_records(self):
        async def main():
            client = AsyncClient(URL)
            job = await client.upload(("async.jpg", photo()), self.token)
            seen = []
            async for event in client.events(job.hash, self.token, timeout=120):
                seen.append(event)
            final = await client.wait_until_final(job.hash, self.token, timeout=60)
            record, status = await asyncio.gather(client.success(job.hash, self.token), client.status(job.hash, self.token))
            return job, seen, final, record, status

        job, seen, final, record, status = asyncio.run(main())
        self.assertEqual("completed", final.status, final.error)
        self.assertEqual(final, status)
        self.assertEqual(("success", 2), (record.status, record.file_count))
        self.assertIsInstance(seen[-1], JobStatus)
        self.assertEqual("completed", seen[-1].status)
        done = [e for e in seen if isinstance(e, OutputDone)]
        self.assertEqual(job.expected_files, [e.name for e in done])
        self.assertEqual([1, 2], [e.done for e in done])

    def test_a_failed_job_runs_again_on_retry(self):
        # The test data's truncated JPEG: its header reads, so the upload is taken; its image data is cut, so the
        # conversion fails. Bytes of this test's own after it make the job this test's.
        client = Client(URL)
        with open(os.path.join(os.path.dirname(IMAGE), "hostile", "truncated.jpg"), "rb") as f:
            broken = f.read() + uuid.uuid4().bytes
        job = client.upload(("broken.jpg", broken), self.token)
        failed = client.wait_until_final(job.hash, self.token, timeout=60)
        self.assertEqual(("failed", 1, 0), (failed.status, failed.attempts, failed.retries), failed)
        self.assertTrue(failed.error.startswith("source is not a decodable image"), failed.error)
        record = client.failures(job.hash, self.token)
        self.assertEqual(("failed", failed.error, failed.finished_at), (record.status, record.error, record.timestamp))
        retried = client.retry(job.hash, self.token)
        self.assertEqual((job.job_id, 1, None), (retried.job_id, retried.retries, retried.error))
        self.assertIn(retried.status, ("pending", "processing"))
        again = client.wait_until_final(None, self.token, timeout=60, job_id=job.job_id)
        self.assertEqual(("failed", 2, 1), (again.status, again.attempts, again.retries), again)

    def test_a_40_mb_upload_streams_from_the_source(self):
        # Over the gateway's limit or not, the answer comes after the body began: the client never held it.
        source = CountingSource(40 * MB)
        tracemalloc.start()
        try:
            try:
                job = Client(URL, timeout=120).upload(source, self.token)
                outcome = job.status
            except PixerveError as e:
                outcome = e.status
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertIn(outcome, ("pending", "processing", "completed", "failed", 413, 415))
        self.assertGreater(source.reads, 1)
        self.assertLessEqual(source.largest, 64 * 1024)
        self.assertLess(peak, 8 * MB, f"{peak} bytes allocated at the peak of a 40 MB upload")

    def test_the_readme_example_runs_as_written(self):
        with open(README, encoding="utf-8") as f:
            blocks = re.findall(r"```python\n(.*?)```", f.read(), re.S)
        self.assertEqual(1, len(blocks), "the README has one Python example")
        example = blocks[0]
        self.assertLessEqual(len(example.strip().splitlines()), 10)
        run = subprocess.run([sys.executable, "-W", "error", "-c", example], capture_output=True, text=True, timeout=180,
                             env={**os.environ, "PYTHONPATH": os.path.join(os.path.dirname(README))})
        self.assertEqual(0, run.returncode, run.stderr)
        lines = run.stdout.splitlines()
        self.assertRegex(lines[0], r"^completed in 0:00:\d\d\.\d+ after 1 attempt\(s\)$")
        self.assertRegex(lines[1], r"^[0-9a-f]{64}_photo-1920x1280-canon_800_800_\.webp 800 533 /files/")


if __name__ == "__main__":
    unittest.main()
