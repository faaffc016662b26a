// Each stable error code in Korean: what happened and what to do, as an ABLESTACK admin reads it under a
// Korean locale. A Record over every ErrorCode: a new code does not type-check until it is translated here.
// The English catalog (src/app/docs/error-docs.ts) stays the reference; these say the same, in Korean.
import { type ErrorCode } from "../errors";

export interface KoreanErrorText {
  meaning: string;
  action: string;
}

export const errorDocsKo: Record<ErrorCode, KoreanErrorText> = {
  USAGE: { meaning: "명령줄 오류: 알 수 없는 명령이나 옵션, 잘못된 값, 빠진 인수", action: "`ablestack_v2k help 명령`을 확인하세요" },
  INTERNAL: {
    meaning: "오류 코드로 분류되지 않은 내부 오류(버그)",
    action: "events.log와 상세 내용을 첨부해 보고하세요. 다시 실행하면 대개 이어서 진행합니다",
  },
  CANCELLED: {
    meaning: "중단됨(SIGINT/SIGTERM 또는 페이지에서 취소)",
    action: "같은 명령을 다시 실행하면 작업 디렉터리에서 이어서 진행합니다",
  },
  VCENTER_UNREACHABLE: {
    meaning: "vCenter 또는 ESXi 주소로 TCP/TLS 연결이 되지 않습니다",
    action: "이 호스트에서 주소, 443 포트, DNS, 방화벽을 확인하세요",
  },
  TLS_UNTRUSTED: {
    meaning: "서버 인증서가 고정된 SHA-1 지문과 맞지 않습니다",
    action: "`vcenter probe` 결과를 vCenter 인증서와 비교한 뒤 --thumbprint(또는 GOVC_THUMBPRINT)를 지정하세요",
  },
  LOGIN_FAILED: {
    meaning: "vCenter가 사용자 이름이나 비밀번호를 거부했습니다",
    action: "계정(user@vsphere.local 형식)과 비밀번호 파일을 확인하세요. 잠긴 계정인지도 확인하세요",
  },
  SESSION_EXPIRED: {
    meaning: "긴 단계 중에 vSphere 세션이 끝났고 갱신하지 못했습니다",
    action: "명령을 다시 실행하세요. vCenter의 세션 한도를 확인하세요",
  },
  VM_NOT_FOUND: {
    meaning: "계정이 볼 수 있는 인벤토리에 그 이름이나 moref의 VM이 없습니다",
    action: "이름(`vcenter vms`)과 계정 권한을 확인하세요",
  },
  VSPHERE_FAULT: { meaning: "vSphere가 호출에 fault로 응답했습니다", action: "상세 내용의 fault와 vCenter의 작업·이벤트를 확인하세요" },
  TASK_FAILED: {
    meaning: "vSphere 작업(전원, 재구성, 스냅샷 삭제)이 실패했습니다",
    action: "vSphere Client에서 작업을 확인하고, 원인을 해결한 뒤 다시 실행하세요",
  },
  CBT_NOT_ACTIVE: {
    meaning: "변경 블록 추적(CBT)이 꺼져 있거나, 켜졌지만 디스크에 아직 적용되지 않았습니다",
    action: "`cbt enable`을 실행하세요(스냅샷으로 VM을 잠시 멈춰 모든 디스크가 changeId를 받습니다)",
  },
  CBT_UNSUPPORTED: {
    meaning: "스냅샷이나 추적이 불가능한 디스크입니다(independent, 물리 RDM, 공유 디스크)",
    action: "vSphere에서 디스크 모드를 바꾸거나, 그 VM은 다른 방법으로 콜드 마이그레이션하세요",
  },
  SNAPSHOT_FAILED: {
    meaning: "마이그레이션 스냅샷을 만들거나 지우지 못했습니다",
    action: "데이터스토어 공간과 진행 중인 통합을 확인하고 다시 실행하세요(이 실행의 고아 스냅샷은 이어받습니다)",
  },
  QCDA_INCOMPLETE: {
    meaning: "QueryChangedDiskAreas가 디스크 전체를 다루지 않았습니다",
    action: "라운드를 다시 실행하세요. 반복되면 CBT를 초기화하세요(디스크를 한 번 전체 복사합니다)",
  },
  PYVMOMI_MISSING: {
    meaning: "/usr/bin/python3가 pyVmomi를 import하지 못합니다",
    action: "python3-pyvmomi를 설치하세요(Rocky 9: dnf install python3-pyvmomi)",
  },
  NODE_TOO_OLD: {
    meaning: "헬퍼가 20보다 오래된 Node.js에서 실행되었습니다",
    action: "Rocky 9: dnf module enable nodejs:20 && dnf install nodejs, Debian: nodejs 20 이상",
  },
  WORKDIR_INVALID: {
    meaning: "작업 디렉터리가 없거나, 매니페스트가 없거나, 만들 수 없거나, 비공개가 아닙니다(다른 소유자, 그룹/기타 쓰기 가능)",
    action: "먼저 `init`을 실행하거나 init이 출력한 작업 디렉터리를 지정하세요. 공유된 디렉터리는 확인 후 `chmod 700` 하세요",
  },
  WORKDIR_FOREIGN: {
    meaning: "ablestack-v2k 작업 디렉터리가 아닙니다",
    action: "`init`이 만든 디렉터리를 --workdir로 지정하세요",
  },
  WORKDIR_EXISTS: {
    meaning: "init이 기존 마이그레이션을 덮어쓰게 됩니다",
    action: "그 마이그레이션을 이어서 진행하거나 다른 --workdir를 고르세요",
  },
  WORKDIR_LOCKED: {
    meaning: "다른 헬퍼 프로세스가 이 마이그레이션을 작업 중입니다",
    action: "끝날 때까지 기다리거나(`status`) 중지하세요. 죽은 프로세스의 잠금은 자동으로 이어받습니다",
  },
  MANIFEST_CORRUPT: {
    meaning: "manifest.json을 읽을 수 없거나 스키마에 맞지 않습니다",
    action: "manifest.json.bak이 있으면 복원하세요. events.log는 보존하세요",
  },
  MANIFEST_VERSION: {
    meaning: "더 새로운 헬퍼가 쓴 매니페스트입니다",
    action: "마이그레이션을 만든 버전이나 더 새로운 헬퍼를 사용하세요",
  },
  PHASE_ORDER: {
    meaning: "마이그레이션의 현재 단계에서는 할 수 없는 작업입니다",
    action: "`status`로 단계를 확인하고 빠진 단계를 먼저 실행하세요",
  },
  STEP_OPTIONS_INVALID: {
    meaning: "단계에 기록된 옵션(`step-options`, manifest.stepOptions)이 그 단계에 맞지 않습니다: 손으로 고친 매니페스트입니다",
    action: "`step-options 단계 --set 이름=값`으로 다시 기록하거나, `step-options 단계 --clear`로 그 단계의 옵션을 지우세요",
  },
  DST_MISSING: { meaning: "대상 디렉터리나 장치가 없습니다", action: "만들거나 마운트하세요. 또는 --dst / --target-device를 고치세요" },
  DST_TOO_SMALL: {
    meaning: "공간이 부족하거나 장치가 디스크보다 작습니다",
    action: "공간을 확보하거나 장치를 키우세요. 또는 씬 qcow2 대상을 사용하세요",
  },
  TOOL_MISSING: {
    meaning: "이 단계에 필요한 프로그램이 설치되어 있지 않습니다",
    action: "설치하세요(사전 점검이 목록을 보여 줍니다: nbdkit과 curl/vddk 플러그인, qemu-img, virsh)",
  },
  TARGET_FULL: {
    meaning: "복사 중 대상 저장소의 공간이 부족해졌습니다(ENOSPC)",
    action: "공간을 확보하고 다시 실행하세요. 라운드는 마지막으로 확정된 changeId부터 다시 시작합니다",
  },
  TARGET_IO: {
    meaning: "대상 읽기나 쓰기가 실패했거나 디스크가 줄어들었습니다",
    action: "저장소(dmesg)를 확인하고 단계를 다시 실행하세요",
  },
  CEPH_UNREACHABLE: {
    meaning: "주어진 ceph.conf와 클라이언트 ID로 ceph/rbd 도구가 클러스터에 닿지 못했습니다(또는 키가 없습니다)",
    action: "--ceph-conf(모니터, 키링)와 --ceph-id를 확인하세요. 같은 옵션으로 'ceph -s'가 응답해야 합니다",
  },
  RBD_POOL_MISSING: {
    meaning: "RBD 대상의 Ceph 풀이 없습니다",
    action: "풀을 만들거나 다른 --rbd-pool을 지정하세요('storage pools'가 목록을 보여 줍니다)",
  },
  RBD_IMAGE_EXISTS: {
    meaning: "대상 이름의 RBD 이미지가 이미 있습니다",
    action: "다른 이름을 고르세요(--target-map-json). --force는 이전 ablestack-v2k 실행이 만든 이미지만 교체합니다",
  },
  TARGET_EXISTS: {
    meaning: "새 마이그레이션 이름의 대상 파일이 이미 있습니다(그 VM의 다른 또는 이전 마이그레이션이 썼습니다)",
    action: "그 마이그레이션을 해당 --workdir로 이어서 진행하거나 다른 --dst를 고르세요. --force는 파일을 덮어씁니다",
  },
  NBD_PROTOCOL: {
    meaning: "NBD 상대가 프로토콜을 어겼거나 일관되지 않은 extent를 보냈습니다",
    action: "다시 실행하세요. 반복되면 상세 내용과 함께 보고하세요",
  },
  NBD_SERVER_ERROR: { meaning: "NBD 서버가 요청에 오류로 응답했습니다", action: "상세 내용(서버 stderr)을 보고 다시 실행하세요" },
  NBD_SOURCE_FAILED: {
    meaning: "VMware 디스크 읽기(nbdkit curl 또는 vddk)가 실패했습니다",
    action: "데이터스토어 접근, VDDK 전송, vCenter의 NFC 한도를 확인하고 다시 실행하세요",
  },
  NBD_TARGET_FAILED: {
    meaning: "qemu-nbd를 통한 KVM 디스크 쓰기가 실패했습니다",
    action: "대상 저장소와 상세 내용의 qemu-nbd stderr를 확인하고 다시 실행하세요",
  },
  PROCESS_FAILED: {
    meaning: "헬퍼가 실행한 프로세스(nbdkit, qemu-nbd, qemu-img, python3)가 실패했습니다",
    action: "상세 내용에 명령줄(비밀 정보 제외)과 stderr가 있습니다",
  },
  TIMEOUT: {
    meaning: "단계가 제한 시간 안에 끝나지 않았습니다(준비되지 않는 서버, 끝나지 않는 작업)",
    action: "네트워크와 ESXi 호스트를 확인하세요. 다시 실행하면 이어서 진행합니다",
  },
  TRANSFER_STALLED: {
    meaning: "복사나 검증이 진행되지 않았습니다: 정체 감시 시간(10분) 동안 완료된 요청이 없습니다",
    action: "원본이나 대상이 응답을 멈췄습니다. 네트워크, ESXi 호스트, 대상 저장소를 확인하세요. 다시 실행하면 이어서 진행합니다",
  },
  SOURCE_RUNNING: {
    meaning: "꺼져 있어야 할 VMware VM이 켜져 있습니다",
    action: "종료하거나 컷오버가 종료하게 하세요(--shutdown guest|poweroff)",
  },
  SHUTDOWN_TIMEOUT: {
    meaning: "게스트가 --shutdown-timeout 안에 종료되지 않았습니다",
    action: "게스트의 VMware Tools를 확인하세요. 더 긴 시간이나 --shutdown poweroff로 다시 실행하세요",
  },
  DOMAIN_XML_INVALID: {
    meaning: "생성한 도메인 XML이 virt-xml-validate를 통과하지 못했습니다",
    action: "상세 내용을 보세요. 도메인은 정의되지 않았습니다",
  },
  VIRSH_FAILED: {
    meaning: "libvirt가 호출(define, start, undefine)을 거부했거나, 다른 도메인이 같은 이름이나 uuid를 씁니다",
    action: "libvirt의 메시지를 읽으세요. --domain-name / --uuid new로 충돌을 피할 수 있습니다",
  },
  LIBVIRT_UNAVAILABLE: {
    meaning: "libvirtd(또는 virtqemud)가 실행 중이 아니거나 응답하지 않습니다. 컷오버는 원본을 끄기 전에 확인합니다",
    action: "libvirtd를 시작하고 `virsh list`를 확인한 뒤 같은 명령을 다시 실행하세요. 멈춘 곳부터 이어서 진행합니다",
  },
  CONVERSION_FAILED: {
    meaning: "오버레이에서 virt-v2v-in-place가 실패했습니다. 복사된 디스크는 바뀌지 않았습니다",
    action:
      "작업 디렉터리의 convert.log를 읽으세요(끝부분이 상세 내용에 있습니다). 컷오버를 다시 실행하거나, 롤백하거나, --convert none으로 컷오버하세요",
  },
  VERIFY_MISMATCH: {
    meaning: "보고된 디스크와 오프셋에서 대상과 원본이 다릅니다",
    action: "VM을 시작하지 마세요. 증분 라운드나 그 디스크의 전체 재복사 뒤 다시 검증하세요",
  },
  NETWORK_MISSING: {
    meaning: "포트 그룹의 KVM 네트워크(libvirt 네트워크나 브리지)가 없거나 활성 상태가 아닙니다. 원본을 끄기 전에 확인합니다",
    action: "'storage networks'가 보여 주는 네트워크로 매핑하거나 네트워크를 시작한(virsh net-start 이름) 뒤 단계를 다시 실행하세요",
  },
  PREFLIGHT_NO_GO: {
    meaning: "사전 점검 항목이 실패해 run이 멈췄습니다. 아무것도 바뀌지 않았습니다",
    action: "실패한 항목(`preflight`가 보여 줍니다)을 해결하고 다시 실행하세요",
  },
  LAB_NOT_RUNNING: { meaning: "그 디렉터리를 서비스하는 실습 환경이 없습니다", action: "`lab start --dir D`로 시작하세요" },
  LAB_STATE_INVALID: { meaning: "실습 환경의 상태 파일이 손상되었습니다", action: "실습 환경을 멈추고 디렉터리를 지운 뒤 다시 시작하세요" },
  LAB_ALREADY_RUNNING: {
    meaning: "그 디렉터리를 이미 다른 실습 환경 프로세스가 서비스합니다",
    action: "그것을 사용하거나 먼저 `lab stop --dir D` 하세요",
  },
  ADMIN_REQUIRED: { meaning: "Cockpit 세션에 관리자 권한이 없습니다", action: "Cockpit 상단 표시줄에서 관리자 권한을 켜세요" },
  HELPER_OUTPUT_INVALID: {
    meaning: "페이지가 헬퍼의 출력을 이해하지 못했습니다",
    action: "페이지와 헬퍼를 같은 패키지 버전으로 설치하세요",
  },
};
