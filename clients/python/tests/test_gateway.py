"""Against a real gateway: PIXERVE_URL, PIXERVE_JWT_SECRET and PIXERVE_TEST_IMAGE (clients/test.sh sets them)."""
import os
import struct
import unittest
import uuid

from pixerve import Client, PixerveError, mint_token

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


@unittest.skipUnless(URL and SECRET and IMAGE, "needs a gateway: run clients/test.sh")
class GatewayTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = Client(URL)
        cls.token = mint_token(SECRET, JOB, sub="python-tests")
        with open(IMAGE, "rb") as f:
            cls.photo = f.read()

    def test_upload_wait_download(self):
        job = self.client.upload(IMAGE, self.token)
        self.assertEqual(64, len(job["job_id"]))
        self.assertEqual([f"{job['hash']}_photo-1920x1280-canon_400_400_.jpg"], job["expected_files"])
        final = self.client.wait(self.token, job["hash"], timeout=120)
        self.assertEqual("completed", final["status"], final.get("error"))
        data = self.client.download(SUB_DIR, job["expected_files"][0])
        self.assertEqual((400, 267), jpeg_size(data))
        self.assertEqual(400, final["files"][0]["width"])
        self.assertEqual("success", self.client.success(self.token, job["hash"])["status"])
        self.assertEqual("success", self.client.failures(self.token, job_id=job["job_id"])["status"])
        # The seed's form-field token reaches the same job.
        again = self.client.upload(IMAGE, self.token, form_token=True)
        self.assertEqual((job["job_id"], "completed"), (again["job_id"], again["status"]))

    def test_batch_upload_answers_an_entry_per_file(self):
        batch = self.client.upload_batch([("a.jpg", unique(self.photo)), ("notes.txt", b"not an image")], self.token)
        self.assertEqual(["a.jpg", "notes.txt"], [e["file"] for e in batch["jobs"]])
        self.assertEqual("pending", batch["jobs"][0]["status"])
        self.assertEqual(415, batch["jobs"][1]["error"]["status"])

    def test_cancel_a_pending_job(self):
        # One conversion at a time: a slower job first keeps the next one pending long enough to cancel it.
        slow = mint_token(SECRET, {"formats": {"webp": {"sizes": [[1920]]}}, "directHost": True, "subDir": SUB_DIR})
        for _ in range(8):
            self.client.upload(("slow.jpg", unique(self.photo)), slow)
            job = self.client.upload(("pending.jpg", unique(self.photo)), self.token)
            try:
                cancelled = self.client.cancel(self.token, job["hash"])
            except PixerveError as e:
                self.assertEqual(409, e.status)
                continue
            self.assertEqual(("cancelled", "cancelled by request"), (cancelled["status"], cancelled["error"]))
            self.assertEqual("cancelled", self.client.wait(self.token, job["hash"], timeout=10)["status"])
            self.assertEqual("not_found", self.client.failures(self.token, job["hash"])["status"])
            return
        self.fail("never caught a job still pending")

    def test_bad_token_is_401(self):
        with self.assertRaises(PixerveError) as caught:
            self.client.upload(IMAGE, mint_token("another-secret-that-is-long-enough-0123456789", JOB))
        self.assertEqual(401, caught.exception.status)
        self.assertIn("signature", caught.exception.detail)

    def test_bad_spec_is_400_naming_the_field(self):
        token = mint_token(SECRET, {"formats": {"jpg": {"sizes": [[0]]}}, "directHost": True})
        with self.assertRaises(PixerveError) as caught:
            self.client.upload(IMAGE, token)
        self.assertEqual((400, "formats.jpg.sizes[0]"), (caught.exception.status, caught.exception.field))

    def test_another_tokens_job_is_404(self):
        job = self.client.upload(("mine.jpg", unique(self.photo)), self.token)
        stranger = mint_token(SECRET, {**JOB, "subDir": "someone-else"})
        with self.assertRaises(PixerveError) as caught:
            self.client.status(stranger, job["hash"])
        self.assertEqual(404, caught.exception.status)


if __name__ == "__main__":
    unittest.main()
