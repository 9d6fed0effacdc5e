#include "cli/command.h"

namespace steer::agent::cli {

int RunValidate(int argc, char** argv);
int RunSimulate(int argc, char** argv);
int RunPlan(int argc, char** argv);
int RunDns(int argc, char** argv);
int RunProbe(int argc, char** argv);
int RunStatus(int argc, char** argv);
int RunHistory(int argc, char** argv);
int RunSwitchover(int argc, char** argv);
int RunFailover(int argc, char** argv);
int RunDrain(int argc, char** argv);
int RunUndrain(int argc, char** argv);
int RunPause(int argc, char** argv);
int RunResume(int argc, char** argv);
int RunAck(int argc, char** argv);
int RunReload(int argc, char** argv);
int RunStatusPage(int argc, char** argv);
int RunReport(int argc, char** argv);
int RunIncident(int argc, char** argv);
int RunMaintenance(int argc, char** argv);

std::span<const Command> Commands() {
  static constexpr Command kCommands[] = {
      {"validate", "check policy files and report every error", RunValidate},
      {"simulate", "replay a probe trace through the policy on a virtual clock", RunSimulate},
      {"plan", "print the DNS changes that would be made (writes nothing)", RunPlan},
      {"dns", "dns show: provider records and every authoritative server's answer", RunDns},
      {"probe", "run probes once from this host and show their phases", RunProbe},
      {"status", "services, their active region and region health", RunStatus},
      {"history", "the audit log: decisions, DNS changes, operations", RunHistory},
      {"switchover", "move a healthy service to a region, within the guards", RunSwitchover},
      {"failover", "force a service to a region, overriding named rules", RunFailover},
      {"drain", "take a region out of service", RunDrain},
      {"undrain", "return a drained region to service", RunUndrain},
      {"pause", "freeze automatic changes (one service or all)", RunPause},
      {"resume", "resume automatic changes", RunResume},
      {"ack", "acknowledge a failover, ending its block window", RunAck},
      {"reload", "validate and load the policy file again", RunReload},
      {"status-page", "status-page export: the public status page as static files", RunStatusPage},
      {"report", "report uptime: availability, incidents, failovers from a state directory",
       RunReport},
      {"incident", "incident open|update|resolve: an incident on the public status page",
       RunIncident},
      {"maintenance", "maintenance schedule|cancel: a maintenance window (can drain a region)",
       RunMaintenance},
  };
  return kCommands;
}

}  // namespace steer::agent::cli
