package io.bootcluster.sample;

import java.util.Map;

import jakarta.servlet.http.HttpSession;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Counts a client's visits in its HTTP session. The master keeps the session, so the count
 * goes on whichever worker the next connection reaches, and through a rolling restart.
 */
@RestController
class VisitsController {

	private final int workerId;

	VisitsController(@Value("${cluster.worker.id:0}") int workerId) {
		this.workerId = workerId;
	}

	@GetMapping("/visits")
	Map<String, Object> visits(HttpSession session) {
		Integer visits = (Integer) session.getAttribute("visits");
		visits = (visits != null) ? visits + 1 : 1;
		// Set again, not changed in place: what is set is what a session store saves
		session.setAttribute("visits", visits);
		return Map.of("visits", visits, "worker", this.workerId);
	}

}
