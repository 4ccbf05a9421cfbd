"""A real S3 endpoint on loopback: moto in server mode, on a free port, for this test run only."""

import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
from moto.server import ThreadedMotoServer

from config.settings import object_storage

BUCKET = "compact-test-pdfs"
REGION = "eu-west-2"
# moto takes any keys; boto3 must have some to sign its requests.
KEYS = {"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret"}


@dataclass
class ObjectStore:
    endpoint_url: str
    client: object

    @property
    def environment(self):
        """What a process (gunicorn, a worker) needs to store its files here."""
        return {
            **KEYS,
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_S3_REGION_NAME": REGION,
        }

    @property
    def storage(self):
        """STORAGES["default"] for this process, built as the settings build it."""
        return object_storage(BUCKET, endpoint_url=self.endpoint_url, region_name=REGION)

    def names(self):
        listed = self.client.list_objects_v2(Bucket=BUCKET)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, key):
        return self.client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


@contextmanager
def object_store():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint_url = f"http://{host}:{port}"
        # moto keeps its buckets in this process's memory: start every store empty.
        urllib.request.urlopen(urllib.request.Request(f"{endpoint_url}/moto-api/reset", method="POST"))  # noqa: S310 - loopback
        client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=REGION,
            aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
        )
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield ObjectStore(endpoint_url, client)
    finally:
        server.stop()
