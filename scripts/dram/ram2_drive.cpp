// ram2_drive: replays a read trace on a Ramulator 2.1 memory system as fast as
// its controller accepts requests, and reports the bandwidth achieved.
// Part of odmasim's scripts/dram-calibrate.sh; it links against the
// libramulator.so of the user's Ramulator checkout (nothing of Ramulator is
// copied here).
//   usage: ram2_drive CONFIG.yaml TRACE
// TRACE: one byte address per line (decimal), each one transaction-sized read
// (32 B on LPDDR5 x16). Every memory cycle the driver offers the next reads in
// trace order until the controller refuses one, so the read queue, not the
// feeder, bounds the requests in flight. The run ends when the last read
// returns. Output (one line):
//   requests bytes cycles tck_ps gbps
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ramulator/base/config.h"
#include "ramulator/base/factory.h"
#include "ramulator/base/request.h"
#include "ramulator/frontend/i_frontend.h"
#include "ramulator/memory_system/i_memory_system.h"

using namespace Ramulator;

static std::vector<Addr_t> read_trace(const char *path)
{
	std::ifstream in(path);
	if (!in)
		throw std::runtime_error(std::string("cannot open trace ") + path);
	std::vector<Addr_t> v;
	std::string line;
	while (std::getline(in, line))
		if (!line.empty())
			v.push_back(static_cast<Addr_t>(std::stoll(line)));
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		std::fprintf(stderr, "usage: %s CONFIG.yaml TRACE\n", argv[0]);
		return 2;
	}
	try {
		ConfigNode cfg = Config::parse_config_file(argv[1]);
		std::unique_ptr<IFrontEnd> fe(Factory::create_frontend(cfg));
		std::unique_ptr<IMemorySystem> ms(Factory::create_memory_system(cfg));
		fe->connect_memory_system(ms.get());
		ms->connect_frontend(fe.get());
		std::vector<Addr_t> tr = read_trace(argv[2]);
		const int tx = ms->get_tx_bytes();
		size_t next = 0, done = 0;
		uint64_t cycles = 0;
		auto on_done = [&done](Request &) { done++; };
		const uint64_t limit = 4000000000ULL;
		while (done < tr.size()) {
			while (next < tr.size()) {
				Request req(tr[next], Request::Type::Read, 0, on_done);
				req.size_bytes = tx;
				if (!ms->send(req))
					break;
				next++;
			}
			ms->tick();
			if (++cycles > limit)
				throw std::runtime_error("no progress: cycle limit reached");
		}
		double tck_ps = ms->get_tCK() * 1000.0; // get_tCK() is in ns
		double bytes = static_cast<double>(tr.size()) * tx;
		std::printf("%zu %.0f %llu %.1f %.6f\n", tr.size(), bytes,
			    static_cast<unsigned long long>(cycles), tck_ps,
			    bytes / (static_cast<double>(cycles) * tck_ps * 1e-3));
		fe->finalize();
		ms->finalize();
	} catch (const std::exception &ex) {
		std::fprintf(stderr, "ram2_drive: %s\n", ex.what());
		return 1;
	}
	return 0;
}
