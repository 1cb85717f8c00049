"""Resumable uploads (tus 1.0 on /uploads) against a real gateway: PIXERVE_URL, PIXERVE_JWT_SECRET and
PIXERVE_TEST_IMAGE (clients/test.sh sets them). A drop is made by clients/cut-proxy.py, a loopback proxy that resets
the connection once in the middle of a PATCH body."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import unittest

from pixerve import Client, PixerveNetworkError, mint_token

URL, SECRET, IMAGE = os.environ.get("PIXERVE_URL"), os.environ.get("PIXERVE_JWT_SECRET"), os.environ.get("PIXERVE_TEST_IMAGE")
SUB_DIR = "python-client"
JOB = {"formats": {"jpg": {"sizes": [[400]]}}, "directHost": True, "subDir": SUB_DIR}
PROXY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "cut-proxy.py")
CHUNK = 256 * 1024
SIZE = 3 * 1024 * 1024 + 12345  # a few MB in 13 chunks, the last one short
CUT = 5 * CHUNK + 100_000  # in the middle of the sixth chunk


class CutProxy:
    """clients/cut-proxy.py in front of the gateway: resets the connection after `cut` PATCH body bytes, once."""

    def __init__(self, test: unittest.TestCase, upstream: str, cut: int):
        directory = tempfile.mkdtemp(prefix="pixerve-proxy-")
        self.log = os.path.join(directory, "requests.jsonl")
        self.process = subprocess.Popen([sys.executable, PROXY, upstream, str(cut), self.log],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        test.addCleanup(self.close)
        self.url = "http://127.0.0.1:%d" % int(self.process.stdout.readline())

    def requests(self):
        with open(self.log) as f:
            return [json.loads(line) for line in f]

    def close(self):
        self.process.stdin.close()
        self.process.stdout.close()
        self.process.wait(10)
        os.remove(self.log)
        os.rmdir(os.path.dirname(self.log))


@unittest.skipIf(not (URL and SECRET and IMAGE) and os.environ.get("PIXERVE_SKIP_GATEWAY_TESTS") == "1", "PIXERVE_SKIP_GATEWAY_TESTS=1")
class ResumableUploadTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not (URL and SECRET and IMAGE):
            raise RuntimeError("PIXERVE_URL, PIXERVE_JWT_SECRET and PIXERVE_TEST_IMAGE are unset: run clients/test.sh, "
                               "or set PIXERVE_SKIP_GATEWAY_TESTS=1 to skip the tests that need a gateway")
        cls.token = mint_token(SECRET, JOB, sub="python-tests")

    def photo_file(self) -> str:
        """The photo padded with random bytes to SIZE (decoders ignore what follows the JPEG end marker): a new hash."""
        with open(IMAGE, "rb") as f:
            data = f.read()
        data += os.urandom(SIZE - len(data))
        directory = tempfile.mkdtemp(prefix="pixerve-resumable-")
        path = os.path.join(directory, "resumable-photo.jpg")
        with open(path, "wb") as f:
            f.write(data)
        self.addCleanup(lambda: (os.remove(path), os.rmdir(directory)))
        self.sha256 = hashlib.sha256(data).hexdigest()
        return path

    def assert_completed(self, client: Client, answer):
        self.assertEqual(self.sha256, answer.hash)
        self.assertEqual(64, len(answer.job_id))
        self.assertEqual([f"{self.sha256}_resumable-photo_400_400_.jpg"], answer.expected_files)
        final = client.wait_until_final(answer.hash, self.token, timeout=120)
        self.assertEqual(("completed", answer.job_id), (final.status, final.job_id), final.error)

    def assert_resumed_from_the_servers_offset(self, requests, size):
        """One upload created, one cut, a HEAD after it, and the next PATCH at an offset the server had: no byte before
        the cut chunk went twice, none was skipped (the hash checks that), at most the cut chunk's bytes were re-sent."""
        self.assertEqual(1, sum(r["method"] == "POST" for r in requests), requests)
        cuts = [i for i, r in enumerate(requests) if r.get("cut")]
        self.assertEqual(1, len(cuts), requests)
        cut = requests[cuts[0]]
        after = requests[cuts[0] + 1:]
        self.assertIn("HEAD", [r["method"] for r in after], requests)
        resumed = next(r for r in after if r["method"] == "PATCH")
        self.assertTrue(cut["offset"] <= resumed["offset"] <= cut["offset"] + cut["sent"], (cut, resumed))
        patches = [r for r in requests if r["method"] == "PATCH"]
        self.assertTrue(all(r["length"] <= CHUNK for r in patches), patches)
        resent = sum(r["sent"] for r in patches) - size
        self.assertTrue(0 <= resent <= cut["sent"] < CHUNK + 1, f"re-sent {resent} bytes; the cut chunk got {cut['sent']} through")

    def test_upload_resumable_in_small_chunks(self):
        path = self.photo_file()
        client = Client(URL)
        progress = []
        answer = client.upload_resumable(path, self.token, chunk_size=CHUNK, on_progress=lambda sent, total: progress.append((sent, total)))
        self.assert_completed(client, answer)
        self.assertEqual((0, SIZE), progress[0])
        self.assertEqual((SIZE, SIZE), progress[-1])
        self.assertEqual(sorted(progress), progress)  # never backwards without a drop
        self.assertGreaterEqual(len(progress), SIZE // (64 * 1024))

    def test_upload_resumable_goes_on_from_the_servers_offset_after_a_dropped_connection(self):
        path = self.photo_file()
        proxy = CutProxy(self, URL, CUT)
        progress = []
        client = Client(proxy.url)
        answer = client.upload_resumable(path, self.token, chunk_size=CHUNK, on_progress=lambda sent, total: progress.append(sent))
        self.assertEqual(SIZE, progress[-1])
        self.assert_resumed_from_the_servers_offset(proxy.requests(), SIZE)
        self.assert_completed(client, answer)

    def test_an_upload_left_unfinished_goes_on_from_its_url(self):
        path = self.photo_file()
        proxy = CutProxy(self, URL, CUT)
        urls = []
        with self.assertRaises(PixerveNetworkError):  # no retries: the drop ends the call
            Client(proxy.url).upload_resumable(path, self.token, chunk_size=CHUNK, on_upload_url=urls.append, max_retries=0)
        self.assertEqual(1, len(urls))
        # Later, with a new token of the same sub and job claim, through the same proxy (it cuts no more).
        token = mint_token(SECRET, JOB, sub="python-tests")
        answer = Client(proxy.url).upload_resumable(path, token, chunk_size=CHUNK, upload_url=urls[0])
        self.assert_resumed_from_the_servers_offset(proxy.requests(), SIZE)
        self.assert_completed(Client(URL), answer)


if __name__ == "__main__":
    unittest.main()
