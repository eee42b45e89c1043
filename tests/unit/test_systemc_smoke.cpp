// SystemC and TLM-2.0 link and run in this build: a loosely timed initiator/target pair whose
// b_transport annotates latency, advanced with sc_start without any sc_clock.
#include <catch2/catch.hpp>
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

namespace {

struct Memory : sc_core::sc_module {
  tlm_utils::simple_target_socket<Memory> target_socket{"target_socket"};
  unsigned char bytes[64] = {};
  explicit Memory(sc_core::sc_module_name name) : sc_module(name) {
    target_socket.register_b_transport(this, &Memory::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
    unsigned char* dst = bytes + tx.get_address();
    if (tx.is_write()) std::copy_n(tx.get_data_ptr(), tx.get_data_length(), dst);
    else std::copy_n(dst, tx.get_data_length(), tx.get_data_ptr());
    delay += sc_core::sc_time(10, sc_core::SC_NS);
    tx.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

struct Initiator : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Initiator> initiator_socket{"initiator_socket"};
  uint32_t read_back = 0;
  SC_HAS_PROCESS(Initiator);
  explicit Initiator(sc_core::sc_module_name name) : sc_module(name) { SC_THREAD(run); }
  void transfer(tlm::tlm_command cmd, uint32_t& word) {
    tlm::tlm_generic_payload tx;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    tx.set_command(cmd);
    tx.set_address(8);
    tx.set_data_ptr(reinterpret_cast<unsigned char*>(&word));
    tx.set_data_length(4);
    initiator_socket->b_transport(tx, delay);
    REQUIRE(tx.is_response_ok());
    wait(delay);
  }
  void run() {
    uint32_t value = 0xCAFEF00Du;
    transfer(tlm::TLM_WRITE_COMMAND, value);
    transfer(tlm::TLM_READ_COMMAND, read_back);
  }
};

}  // namespace

TEST_CASE("TLM-2.0 b_transport round trip with annotated delay", "[tlm]") {
  Initiator initiator("initiator");
  Memory memory("memory");
  initiator.initiator_socket.bind(memory.target_socket);
  sc_core::sc_start();
  CHECK(initiator.read_back == 0xCAFEF00Du);
  CHECK(sc_core::sc_time_stamp() == sc_core::sc_time(20, sc_core::SC_NS));
}
