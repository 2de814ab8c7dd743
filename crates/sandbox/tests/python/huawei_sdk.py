"""Huawei Cloud's official Python SDK, unmodified, against the sandbox: an
access-key signed client lists cloud phones with filters, diverts traffic
(import_traffic), reads the job (show_job) and the request's jobs
(list_jobs with request_ids); a wrong secret key is refused as Huawei's API
gateway refuses it; IAM gives a token by password. Prints one line a check;
exits non-zero on the first that fails.

    python3 huawei_sdk.py http://127.0.0.1:PORT AK SK PROJECT
"""
import sys
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials, GlobalCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkcph.v1 import (CphClient, ImportTrafficRequest, ImportTrafficRequestBody,
                                  ListCloudPhonesRequest, ListJobsRequest, ShowJobRequest)
from huaweicloudsdkiam.v3 import (IamClient, KeystoneCreateUserTokenByPasswordRequest,
                                  KeystoneCreateUserTokenByPasswordRequestBody, PwdAuth, PwdIdentity,
                                  PwdPassword, PwdPasswordUser, PwdPasswordUserDomain, AuthScope,
                                  AuthScopeProject)

base, ak, sk, project = sys.argv[1:5]
region = Region("sandbox", base)
config = HttpConfig.get_default_config()
config.timeout = 10


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + (": " + str(detail) if detail and not ok else ""))
    if not ok:
        sys.exit(1)


def cph(secret):
    return (CphClient.new_builder().with_http_config(config)
            .with_credentials(BasicCredentials(ak, secret, project)).with_region(region).build())


client = cph(sk)
listed = client.list_cloud_phones(ListCloudPhonesRequest(offset=0, limit=10, status=2))
check("list_cloud_phones (signed) answers phones", listed.count > 0 and len(listed.phones) == 10, listed)
phone = listed.phones[0]
for field in ["phone_model_name", "image_id", "image_version", "vnc_enable", "type", "imei",
              "volume_mode", "availability_zone", "metadata", "has_encrypt", "create_time", "update_time"]:
    check("Phone." + field + " is sent", getattr(phone, field) is not None, phone)
check("every phone has the status asked for", all(p.status == 2 for p in listed.phones))
by_name = client.list_cloud_phones(ListCloudPhonesRequest(phone_name=phone.phone_name))
check("phone_name filters", by_name.count >= 1 and all(phone.phone_name in p.phone_name for p in by_name.phones),
      by_name.count)
none = client.list_cloud_phones(ListCloudPhonesRequest(type=1))
check("type filters", none.count == 0, none.count)

ids = [p.phone_id for p in listed.phones[:3]]
diverted = client.import_traffic(ImportTrafficRequest(body=ImportTrafficRequestBody(traffic_type="routing", phone_ids=ids)))
check("import_traffic answers a job a phone", len(diverted.jobs) == 3 and all(j.job_id for j in diverted.jobs), diverted)
job = client.show_job(ShowJobRequest(job_id=diverted.jobs[0].job_id))
check("show_job reads the job", job.job_id == diverted.jobs[0].job_id and job.phone_id == ids[0], job)
time.sleep(1.2)
jobs = client.list_jobs(ListJobsRequest(request_ids=[diverted.request_id]))
check("list_jobs takes request_ids alone", len(jobs.jobs) == 3, jobs)
check("a job carries its node", all(j.node_id for j in jobs.jobs), jobs)
check("the jobs have run", all(j.status == 2 for j in jobs.jobs), [j.status for j in jobs.jobs])

try:
    cph(sk + "x").list_cloud_phones(ListCloudPhonesRequest(limit=1))
    check("a wrong secret key is refused", False)
except ClientRequestException as e:
    check("a wrong secret key is refused (401 APIGW.0301)", e.status_code == 401 and e.error_code == "APIGW.0301",
          (e.status_code, e.error_code, e.error_msg))
    # The SDK reads the request id of an error from X-Request-Id.
    check("the answer carries an X-Request-Id", bool(e.request_id), e)

iam = (IamClient.new_builder().with_http_config(config)
       .with_credentials(GlobalCredentials(ak, sk, "sandbox-domain-id")).with_region(region).build())
body = KeystoneCreateUserTokenByPasswordRequestBody(auth=PwdAuth(
    identity=PwdIdentity(methods=["password"], password=PwdPassword(user=PwdPasswordUser(
        domain=PwdPasswordUserDomain(name="sandbox-domain"), name="cph-admin", password="cph-pass"))),
    scope=AuthScope(project=AuthScopeProject(id=project))))
token = iam.keystone_create_user_token_by_password(KeystoneCreateUserTokenByPasswordRequest(body=body))
check("IAM gives a token by password", bool(token.x_subject_token) and token.token.user.name == "cph-admin", token)
print("the official SDK: every check passed")
