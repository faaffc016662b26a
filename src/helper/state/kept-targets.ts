// What rollback and cleanup say of a target they leave in place, in the helper's language.
import { say } from "../../shared/i18n/lang";

export function notOurs(disk: number, path: string): string {
  return say(
    `disk ${disk}: ${path} was not created by this run; left untouched`,
    `디스크 ${disk}: ${path}는 이 실행이 만들지 않았으므로 그대로 둡니다`,
  );
}

export function notRemoved(disk: number, mode: string, path: string, step: "rollback" | "cleanup"): string {
  return say(
    `disk ${disk}: ${mode} target ${path} is not removed by ${step}`,
    `디스크 ${disk}: ${mode} 대상 ${path}는 ${step === "rollback" ? "롤백" : "정리"}이 지우지 않습니다`,
  );
}
