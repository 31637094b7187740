// SPDX-License-Identifier: GPL-2.0
// bpf/stack_walk.h, the walk every walker runs, in user space over a
// made-up CPython process (fake_python.hpp): the stack chunk read whole,
// the code-object cache and its check for an address taken by another
// code object, older chunks and frames outside them, the consistency
// classes and retries, the limits, and the py-spy-like build that reads
// everything every sample.
#include <gtest/gtest.h>

#include <functional>

#include "fake_python.hpp"
#include "test_util.hpp"
#include "stacks.hpp"
#include "targets.hpp"

using namespace pystack;
using namespace pystack::test;

namespace {

class Walk : public ::testing::Test {
protected:
	void SetUp() override
	{
		auto m = std::make_unique<FakeMemory>();
		auto s = std::make_unique<FakeSched>();
		mem = m.get();
		sched = s.get();
		mem_owner = std::move(m);
		sched_owner = std::move(s);
		py = std::make_unique<FakePython>(*mem, o);
		a = py->code("<module>", "m.py", 1);
		b = py->code("outer", "m.py", 10);
		c = py->code("inner", "m.py", 20);
	}

	// The walker over the fake process (austin: the cached walk; pvm:
	// everything read every sample).
	Walker &make(const char *kind, WalkSettings s = {})
	{
		walker = std::string(kind) == "pvm"
				 ? make_pvm_walker(s, std::move(mem_owner), std::move(sched_owner))
				 : make_austin_walker(s, std::move(mem_owner), std::move(sched_owner));
		walker->set_targets({{42, make_walk_layout(o, py311(), py->runtime, py->code_type)}});
		return *walker;
	}

	// The address of the i-th frame (outermost first) of a thread's chunk.
	std::uint64_t frame_in_chunk(std::uint64_t tstate, int i)
	{
		std::uint64_t chunk = 0;
		mem->read(&chunk, 8, tstate + o.tstate_chunk, 0);
		return chunk + o.chunk_data + i * FakePython::kFrameSize;
	}

	// The thread's _PyCFrame: where its current frame is.
	std::uint64_t cframe_of(std::uint64_t tstate)
	{
		std::uint64_t cframe = 0;
		mem->read(&cframe, 8, tstate + o.tstate_cframe, 0);
		return cframe;
	}

	// Thread tid is on a CPU, switched 5 times so far.
	void on_cpu(std::uint64_t tid) { sched->states[tid] = {5, 1, PY_STATE_RUNNABLE, ""}; }

	// Calls change(k) after the k-th walk of a thread (from 0), before the
	// walk looks at its scheduler state again: as if it ran meanwhile.
	void after_each_walk(std::function<void(int)> change)
	{
		sched->on_sched = [change, looks = 0](std::uint64_t, py_sched &) mutable {
			if (++looks % 2 == 0)
				change(looks / 2 - 1);
		};
	}

	// Calls change(k) after the k-th copy of the thread's chunk (from 0)
	// that is not a check's: between the copy and the check right after it.
	void between_chunk_copies(std::uint64_t tstate, std::function<void(int)> change)
	{
		std::uint64_t chunk = frame_in_chunk(tstate, 0) - o.chunk_data;
		mem->on_read = [chunk, change, copies = 0](std::uint64_t addr, std::size_t size) mutable {
			if (addr == chunk && size > 8 && copies++ % 2 == 0)
				change(copies / 2);
		};
	}

	// One sample as collapsed stacks, and its view.
	std::vector<std::string> sample(SampleView *view = nullptr)
	{
		SampleView v = walker->sample();
		if (walker->symbols_per_sample())
			symbols.clear();
		for (const py_symbol &s : v.symbols)
			symbols.add(s);
		std::vector<std::string> out;
		auto label = [](pid_t, const py_thread &t) {
			return "T" + std::to_string(t.native_tid);
		};
		for (const ThreadSample &t : stacks_of(v, symbols, frames, label))
			out.push_back(t.collapsed(false));
		if (view)
			*view = v;
		return out;
	}

	PyOffsets o = test::table311();
	FakeMemory *mem = nullptr;
	FakeSched *sched = nullptr;
	std::unique_ptr<FakeMemory> mem_owner;
	std::unique_ptr<FakeSched> sched_owner;
	std::unique_ptr<FakePython> py;
	std::unique_ptr<Walker> walker;
	Symbols symbols;
	FrameTable frames;
	std::uint64_t a = 0, b = 0, c = 0;
};

const char kStack[] = "P42;T7;m.py:<module>:3;m.py:outer:14;m.py:inner:25;m.py:outer:14;m.py:inner:29";

} // namespace

TEST_F(Walk, ReadsTheChunkWholeAndEachCodeObjectOnce)
{
	py->thread(7, {{a, 2}, {b, 4}, {c, 5}, {b, 4}, {c, 9}});
	make("austin");
	SampleView v;
	EXPECT_EQ(sample(&v), std::vector<std::string>{kStack});
	// runtime, interpreter, tstate, cframe, chunk; per code object: itself,
	// its name and file name (header, characters), its location table,
	// its qualified name
	EXPECT_EQ(v.hdr->reads, 5u + 3 * 9);
	EXPECT_EQ(v.hdr->symbols_sent, 3u);
	ASSERT_NE(symbols.find(v.frames[0].sym), nullptr);
	EXPECT_EQ(symbols.find(v.frames[0].sym)->qualname, "Q.inner");
	EXPECT_EQ(sample(&v), std::vector<std::string>{kStack});
	// then one check per code object, however many frames run it
	EXPECT_EQ(v.hdr->reads, 5u + 3);
	EXPECT_EQ(v.hdr->code_checks, 3u);
	EXPECT_EQ(v.hdr->symbols_sent, 0u);
}

TEST_F(Walk, ACodeObjectFreedAndItsAddressTakenAgainIsReadAgain)
{
	py->thread(7, {{a, 2}, {b, 4}, {c, 5}});
	make("austin");
	EXPECT_EQ(sample()[0], "P42;T7;m.py:<module>:3;m.py:outer:14;m.py:inner:25");
	// a new code object where inner was, on the same first line
	py->code("other", "n.py", 20, c);
	SampleView v;
	EXPECT_EQ(sample(&v)[0], "P42;T7;m.py:<module>:3;m.py:outer:14;n.py:other:25");
	EXPECT_EQ(v.hdr->code_reused, 1u);
	EXPECT_EQ(v.hdr->symbols_sent, 1u);
}

TEST_F(Walk, SomethingThatIsNoCodeObjectIsAnError)
{
	py->thread(7, {{a, 2}, {b, 4}});
	mem->put64(b + o.object_type, 0x1234); // its type is not PyCode_Type
	make("austin");
	SampleView v;
	sample(&v);
	ASSERT_EQ(v.threads.size(), 1u);
	EXPECT_EQ(v.threads[0].error, -EINVAL);
}

TEST_F(Walk, FramesOutsideTheChunkAreReadOneByOne)
{
	py->thread(7, {{a, 2}, {b, 4}, {c, 5}, {b, 4}, {c, 9}}, 2);
	make("austin");
	sample();
	SampleView v;
	EXPECT_EQ(sample(&v), std::vector<std::string>{kStack});
	EXPECT_EQ(v.hdr->reads, 5u + 2 + 3);
}

TEST_F(Walk, OlderChunksAreReadWholeInTurn)
{
	std::uint64_t ts = py->thread(7, {{a, 2}, {b, 4}, {c, 5}, {b, 4}, {c, 9}});
	// move the two outermost frames into an older chunk
	std::uint64_t chunk = 0, older = mem->alloc(16384);
	ASSERT_EQ(mem->read(&chunk, 8, ts + o.tstate_chunk, 0), 0);
	std::vector<std::uint8_t> two(2 * FakePython::kFrameSize);
	ASSERT_EQ(mem->read(two.data(), two.size(), chunk + o.chunk_data, 0), 0);
	mem->put(older + o.chunk_data, two.data(), two.size());
	std::uint64_t outer = older + o.chunk_data, second = outer + FakePython::kFrameSize;
	mem->put64(second + o.frame_previous, outer);
	mem->put64(older + o.chunk_size, 16384);
	mem->put64(older + o.chunk_top, 2 * FakePython::kFrameSize / 8);
	mem->put64(chunk + o.chunk_previous, older);
	mem->put64(chunk + o.chunk_data + 2 * FakePython::kFrameSize + o.frame_previous, second);
	make("austin");
	sample();
	SampleView v;
	EXPECT_EQ(sample(&v), std::vector<std::string>{kStack});
	// the older chunk: its header, then its live part
	EXPECT_EQ(v.hdr->reads, 5u + 2 + 3);
}

TEST_F(Walk, ThePySpyLikeBuildReadsEverythingEverySample)
{
	py->thread(7, {{a, 2}, {b, 4}, {c, 5}, {b, 4}, {c, 9}});
	make("pvm");
	SampleView v;
	for (int i = 0; i < 2; i++) {
		EXPECT_EQ(sample(&v), std::vector<std::string>{kStack});
		// runtime, interpreter, tstate, cframe; per frame: itself, its code,
		// name, file name, location table and qualified name
		EXPECT_EQ(v.hdr->reads, 4u + 5 * 10);
		EXPECT_EQ(v.hdr->symbols_sent, 5u);
	}
}

TEST_F(Walk, AThreadThatDidNotRunIsQuiet)
{
	py->thread(7, {{a, 2}, {b, 4}});
	sched->states[7] = {5, 0, PY_STATE_IDLE, "python"};
	make("austin");
	SampleView v;
	sample(&v);
	EXPECT_EQ(v.threads[0].consistency, PY_QUIET);
	EXPECT_EQ(v.threads[0].state, PY_STATE_IDLE);
	EXPECT_STREQ(v.threads[0].comm, "python");
}

TEST_F(Walk, AThreadThatRanButStoodStillIsChecked)
{
	py->thread(7, {{a, 2}, {b, 4}, {c, 5}});
	on_cpu(7);
	make("austin");
	sample();
	SampleView v;
	sample(&v);
	EXPECT_EQ(v.threads[0].consistency, PY_CHECKED);
	EXPECT_EQ(v.hdr->reads, 5u + 3 + 3) << "the check: tstate, cframe and chunk again";
}

TEST_F(Walk, ARunningThreadsInnermostFrameMayMoveOn)
{
	std::uint64_t ts = py->thread(7, {{a, 2}, {b, 4}, {c, 5}}), top = frame_in_chunk(ts, 2);
	on_cpu(7);
	make("austin");
	between_chunk_copies(ts, [&](int k) {
		mem->put64(top + o.frame_prev_instr, c + o.code_adaptive + 2 * (6 + k));
	});
	SampleView v;
	sample(&v);
	EXPECT_EQ(v.threads[0].consistency, PY_CHECKED);
	EXPECT_EQ(v.threads[0].attempts, 1u);
}

TEST_F(Walk, AThreadWhoseCallersChangedIsTornAndWalkedAgain)
{
	std::uint64_t ts = py->thread(7, {{a, 2}, {b, 4}, {c, 5}}), middle = frame_in_chunk(ts, 1);
	on_cpu(7);
	WalkSettings s;
	s.retries = 3;
	make("austin", s);
	// between the copy and its check, the caller `outer` moves on
	auto move_caller = [&](int k) {
		mem->put64(middle + o.frame_prev_instr, b + o.code_adaptive + 2 * (5 + k));
	};
	between_chunk_copies(ts, move_caller); // on every attempt
	SampleView v;
	sample(&v);
	EXPECT_EQ(v.threads[0].consistency, PY_TORN);
	EXPECT_EQ(v.threads[0].attempts, 4u);
	EXPECT_EQ(v.hdr->retries, 3u);
	EXPECT_EQ(v.hdr->torn[PY_TORN_MOVED], 4u) << "every attempt, found by the check after the copy";
	EXPECT_EQ(v.hdr->torn[PY_TORN_AFTER], 0u);
	// on the first attempt only: the second is consistent
	between_chunk_copies(ts, [&](int k) {
		if (k == 0)
			move_caller(100);
	});
	sample(&v);
	EXPECT_EQ(v.threads[0].consistency, PY_CHECKED);
	EXPECT_EQ(v.threads[0].attempts, 2u);
}

TEST_F(Walk, ARunningThreadThatCalledFurtherMeanwhileIsChecked)
{
	std::uint64_t ts = py->thread(7, {{a, 2}, {b, 4}, {c, 5}}), top = frame_in_chunk(ts, 2);
	std::uint64_t cframe = cframe_of(ts);
	on_cpu(7);
	make("austin");
	// between the copy and its check, inner calls outer: a frame above
	std::uint64_t above = top + FakePython::kFrameSize;
	between_chunk_copies(ts, [&](int) {
		mem->put64(above + o.frame_code, b);
		mem->put64(above + o.frame_previous, top);
		mem->put64(above + o.frame_prev_instr, b + o.code_adaptive);
		mem->put64(top + o.frame_prev_instr, c + o.code_adaptive + 2 * 7);
		mem->put64(ts + o.tstate_stack_top, above + FakePython::kFrameSize);
		mem->put64(cframe + o.cframe_current_frame, above);
	});
	SampleView v;
	EXPECT_EQ(sample(&v),
		  std::vector<std::string>{"P42;T7;m.py:<module>:3;m.py:outer:14;m.py:inner:25"});
	EXPECT_EQ(v.threads[0].consistency, PY_CHECKED);
	EXPECT_EQ(v.threads[0].attempts, 1u);
}

TEST_F(Walk, ARunningThreadThatReturnedMeanwhileIsTornAndWalkedAgain)
{
	std::uint64_t ts = py->thread(7, {{a, 2}, {b, 4}, {c, 5}}), middle = frame_in_chunk(ts, 1);
	std::uint64_t cframe = cframe_of(ts);
	on_cpu(7);
	make("austin");
	// between the copy and its check, inner returns: the copy's top is gone;
	// walked again, the stack is the shorter one
	between_chunk_copies(ts, [&](int) {
		mem->put64(ts + o.tstate_stack_top, middle + FakePython::kFrameSize);
		mem->put64(cframe + o.cframe_current_frame, middle);
	});
	SampleView v;
	EXPECT_EQ(sample(&v), std::vector<std::string>{"P42;T7;m.py:<module>:3;m.py:outer:14"});
	EXPECT_EQ(v.threads[0].consistency, PY_CHECKED);
	EXPECT_EQ(v.threads[0].attempts, 2u);
}

TEST_F(Walk, AThreadThatWokeDuringItsWalkIsReadAgainAfterIt)
{
	std::uint64_t middle = frame_in_chunk(py->thread(7, {{a, 2}, {b, 4}, {c, 5}}), 1);
	sched->states[7] = {5, 0, PY_STATE_IDLE, ""};
	make("austin");
	// off a CPU when its walk began, switched in and out before it ended
	int looks = 0;
	bool moves = false;
	sched->on_sched = [&](std::uint64_t, py_sched &st) {
		st.switches = 5 + ++looks;
		if (moves && looks % 2 == 0) // after the walk, its caller moved on
			mem->put64(middle + o.frame_prev_instr, b + o.code_adaptive + 2 * (5 + looks));
	};
	SampleView v;
	sample(&v);
	EXPECT_EQ(v.threads[0].consistency, PY_CHECKED);
	EXPECT_EQ(v.threads[0].attempts, 1u);
	EXPECT_EQ(v.hdr->torn[PY_TORN_AFTER], 0u);
	moves = true;
	sample(&v);
	EXPECT_EQ(v.threads[0].consistency, PY_TORN);
	EXPECT_EQ(v.threads[0].attempts, 3u);
	EXPECT_EQ(v.hdr->torn[PY_TORN_AFTER], 3u) << "found by the check after the walk";
	EXPECT_EQ(v.hdr->torn[PY_TORN_MOVED], 0u);
}

TEST_F(Walk, CpuModeLeavesIdleThreadsOut)
{
	py->thread(7, {{a, 2}, {b, 4}});
	py->thread(8, {{a, 2}, {c, 4}});
	sched->states[7] = {5, 0, PY_STATE_IDLE, ""};
	sched->states[8] = {5, 0, PY_STATE_RUNNABLE, ""};
	WalkSettings s;
	s.cpu_mode = true;
	make("austin", s);
	EXPECT_EQ(sample(), std::vector<std::string>{"P42;T8;m.py:<module>:3;m.py:inner:24"});
}

TEST_F(Walk, LimitsAreHitNotOverrun)
{
	py->thread(7, {{a, 2}, {b, 4}, {c, 5}, {b, 4}, {c, 9}});
	py->thread(8, {{a, 2}});
	WalkSettings s;
	s.max_depth = 3;
	s.max_threads = 1;
	make("austin", s);
	SampleView v;
	EXPECT_EQ(sample(&v), std::vector<std::string>{"P42;T8;m.py:<module>:3"});
	EXPECT_EQ(v.targets[0].more_threads, 1u);
	walker.reset();
	s.max_threads = 2;
	SetUp();
	py->thread(7, {{a, 2}, {b, 4}, {c, 5}, {b, 4}, {c, 9}});
	make("austin", s);
	sample(&v);
	EXPECT_EQ(v.threads[0].depth, 3u);
	EXPECT_EQ(v.threads[0].truncated, 1u);
}

TEST_F(Walk, ATargetThatCannotBeReadIsReportedAndTheOthersWalked)
{
	py->thread(7, {{a, 2}});
	make("austin");
	walker->set_targets({{41, make_walk_layout(o, py311(), 0x999000, py->code_type)},
			     {42, make_walk_layout(o, py311(), py->runtime, py->code_type)}});
	SampleView v;
	EXPECT_EQ(sample(&v), std::vector<std::string>{"P42;T7;m.py:<module>:3"});
	EXPECT_EQ(v.targets[0].error, -EFAULT);
	EXPECT_EQ(v.targets[1].error, 0);
}

// 3.11 sets a new frame's f_code before its prev_instr: read in between,
// the frame runs one function and stands on an instruction of another
// (the slot's previous occupant). That is no stack the thread had.
TEST_F(Walk, AFrameWhoseInstructionIsNotInItsCodeIsTorn)
{
	std::uint64_t ts = py->thread(7, {{a, 2}, {b, 4}, {c, 5}}), top = frame_in_chunk(ts, 2);
	on_cpu(7);
	make("austin");
	// inner's slot half made: its instruction still the previous occupant's
	mem->put64(top + o.frame_prev_instr, b + o.code_adaptive + 2 * 3);
	SampleView v;
	sample(&v);
	EXPECT_EQ(v.threads[0].consistency, PY_TORN);
	EXPECT_EQ(v.threads[0].attempts, 3u);
	EXPECT_EQ(v.hdr->torn[PY_TORN_HALF_MADE], 3u);
	EXPECT_EQ(v.hdr->torn[PY_TORN_MOVED] + v.hdr->torn[PY_TORN_AFTER], 0u);
	// made by the second walk: that one is kept
	after_each_walk([&](int k) {
		if (k == 0)
			mem->put64(top + o.frame_prev_instr, c + o.code_adaptive + 2 * 5);
	});
	EXPECT_EQ(sample(&v),
		  std::vector<std::string>{"P42;T7;m.py:<module>:3;m.py:outer:14;m.py:inner:25"});
	EXPECT_EQ(v.threads[0].consistency, PY_CHECKED);
	EXPECT_EQ(v.threads[0].attempts, 2u);
	// one unit before the first instruction is a frame not started yet:
	// incomplete, left out as CPython's tracebacks leave it out
	mem->put64(top + o.frame_prev_instr, c + o.code_adaptive - 2);
	EXPECT_EQ(sample(&v), std::vector<std::string>{"P42;T7;m.py:<module>:3;m.py:outer:14"});
	EXPECT_EQ(v.threads[0].attempts, 1u);
	// so is one before its first traceable instruction (its RESUME; or
	// a shim's, as 3.13's __init__ cleanup frame)
	mem->put32(c + o.code_firsttraceable, 3);
	mem->put64(top + o.frame_prev_instr, c + o.code_adaptive + 2 * 2);
	EXPECT_EQ(sample(&v), std::vector<std::string>{"P42;T7;m.py:<module>:3;m.py:outer:14"});
	mem->put64(top + o.frame_prev_instr, c + o.code_adaptive + 2 * 3);
	EXPECT_EQ(sample(&v),
		  std::vector<std::string>{"P42;T7;m.py:<module>:3;m.py:outer:14;m.py:inner:23"});
	// but a generator's frame is whole from the start (its first resume)
	std::uint8_t generator = PY_FRAME_OWNED_BY_GENERATOR;
	mem->put64(top + o.frame_prev_instr, c + o.code_adaptive + 2 * 2);
	mem->put(top + o.frame_owner, &generator, 1);
	EXPECT_EQ(sample(&v),
		  std::vector<std::string>{"P42;T7;m.py:<module>:3;m.py:outer:14;m.py:inner:22"});
	generator = 0;
	mem->put(top + o.frame_owner, &generator, 1);
	mem->put32(c + o.code_firsttraceable, 0);
	// the end of its instructions is past it
	mem->put64(top + o.frame_prev_instr, c + o.code_adaptive + 2 * FakePython::kCodeUnits);
	sample(&v);
	EXPECT_EQ(v.threads[0].consistency, PY_TORN);
}

// The thread calls further between the read of its tstate (the data
// stack's top, where the chunk's copy ends) and that of its current frame.
// That frame, read alone later, may be another call's by then: here inner
// calls outer at line 25, then, while the walk goes on, <module> at line
// 27 in the same slot, then outer at line 25 again. Only a copy can be
// checked: a walk that reads frames of the chunk alone keeps nothing.
TEST_F(Walk, AFrameCalledAfterTheTstateWasReadIsReadFromTheCopy)
{
	std::uint64_t ts = py->thread(7, {{a, 2}, {b, 4}, {c, 5}});
	std::uint64_t caller = frame_in_chunk(ts, 2), slot = frame_in_chunk(ts, 3);
	std::uint64_t chunk = frame_in_chunk(ts, 0) - o.chunk_data, cframe = cframe_of(ts);
	on_cpu(7);
	make("austin");
	auto call = [&](std::uint64_t code, int line_in_caller) {
		mem->put64(slot + o.frame_code, code);
		mem->put64(slot + o.frame_previous, caller);
		mem->put64(slot + o.frame_prev_instr, code + o.code_adaptive + 2);
		mem->put64(caller + o.frame_prev_instr, c + o.code_adaptive + 2 * line_in_caller);
	};
	int stage = 0;
	mem->on_read = [&](std::uint64_t addr, std::size_t size) {
		if (stage == 0 && addr >= ts && addr < ts + 64) { // the tstate read: called further
			call(b, 5);
			mem->put64(ts + o.tstate_stack_top, slot + FakePython::kFrameSize);
			mem->put64(cframe + o.cframe_current_frame, slot);
			stage = 1;
		} else if (stage == 1 && addr == chunk && size > 8) { // another call
			call(a, 7);
			stage = 2;
		} else if (stage == 2) { // and the first one's again
			call(b, 5);
			stage = 3;
		}
	};
	SampleView v;
	// what the copy had, checked right after it
	EXPECT_EQ(sample(&v),
		  std::vector<std::string>{
			  "P42;T7;m.py:<module>:3;m.py:outer:14;m.py:inner:25;m.py:outer:11"});
	EXPECT_EQ(v.threads[0].consistency, PY_CHECKED);
	EXPECT_EQ(v.threads[0].attempts, 1u);
}

// A slot taken again between the chunk's copy and its check, by a call of
// the same function from the same line (or a copy made of two moments):
// code, previous and instruction come back the same, the arguments do not.
TEST_F(Walk, ACallerWhoseArgumentsChangedIsTorn)
{
	std::uint64_t ts = py->thread(7, {{a, 2}, {b, 4}, {c, 5}, {b, 4}, {c, 9}});
	std::uint64_t middle = frame_in_chunk(ts, 2);
	on_cpu(7);
	make("austin");
	between_chunk_copies(ts,
			     [&](int k) { mem->put64(middle + o.frame_localsplus + 8, 0x1000 + k); });
	SampleView v;
	sample(&v);
	EXPECT_EQ(v.threads[0].consistency, PY_TORN);
	EXPECT_EQ(v.threads[0].attempts, 3u);
	// the innermost frame's own locals and stack run on with it
	std::uint64_t top = frame_in_chunk(ts, 4);
	between_chunk_copies(ts, [&](int k) { mem->put64(top + o.frame_localsplus + 8, 0x2000 + k); });
	EXPECT_EQ(sample(&v), std::vector<std::string>{kStack});
	EXPECT_EQ(v.threads[0].consistency, PY_CHECKED);
	EXPECT_EQ(v.threads[0].attempts, 1u);
}
